package io.guestguard.policy.core;

import io.guestguard.policy.core.Placement.Motive;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Hosts (steps 2 and 4 of the {@link Decider}'s algorithm, and the hosts operators put in
 * maintenance): what the guest's state knows of them ({@link KnownHosts}) and what that means for the
 * guest. A host is lost: fence it (through a surviving host, {@link FencePolicy}), then start its guest
 * elsewhere, or start at once if the package chose not to wait for fencing; a fence confirmed releases
 * the guest. A host comes back: a guest waiting for a host starts there, a failover waiting for one is
 * carried out, and a more preferred host takes the guest back when failback is automatic. A host put
 * in maintenance with the guest on it moves the guest off it. An operator's host commands, as
 * Serviceguard's node commands: a halted host ({@code cmhaltnode}) is in maintenance, and its guest
 * leaves it by live migration first (by a halt and a start elsewhere if the migration fails; a lost halted
 * host is fenced and its guest started elsewhere); a detached
 * host (Live Application Detach) keeps its guest running untouched, neither fenced nor left until it
 * runs again ({@link Moves#canAct} holds every move off it, and {@link HeldActions} waits); a host that
 * runs again ({@code cmrunnode}) is attached and out of maintenance, and what was held is carried out.
 * Only hosts that concern the guest (its package lists them, or it is placed there) are kept.
 */
final class HostPolicy {
    private final Moves moves;
    private final FencePolicy fences;
    private final MigrationPolicy migrations;

    HostPolicy(Moves moves, FencePolicy fences, MigrationPolicy migrations) {
        this.moves = moves;
        this.fences = fences;
        this.migrations = migrations;
    }

    /**
     * A {@code host.lost} fact: the loss is kept, and the guest leaves the host if it ran there. A host
     * that said it leaves and did not come back in time is not fenced on that alone: it counts as
     * detached, and the guest on it is held there with an alert until an operator runs or halts it.
     */
    void lost(Turn t, HostLost lost) {
        String host = lost.host();
        if (!concerns(t, host)) {
            return; // a host this guest can neither run on nor runs on: nothing to keep
        }
        t.state(t.state().knowing(t.state().hosts().markLost(host)));
        Placement p = t.placement();
        if (lost.leftFirst() && !t.state().hosts().isDetached(host) && host.equals(p.host()) && p.mayRun()
                && p.phase() != PlacementPhase.FENCING) {
            t.state(t.state().knowing(t.state().hosts().markDetached(host)));
            t.decide(Action.ALERT, DecisionReason.HOST_DID_NOT_COME_BACK.toReason(host, t.guest(), host, host, t.guest(),
                    host)).from(host).epoch(p.epoch()).record();
            return;
        }
        PackageSpec spec = t.state().spec();
        leaveLostHost(t, host, spec != null && !spec.waitForFence());
    }

    /**
     * A loss that maintenance or disabled switching held back is acted on now ({@link HeldActions}). It
     * fences first whatever the package says: only the loss itself may skip the fence.
     */
    void lostEarlier(Turn t, String host) {
        t.state(t.state().knowing(t.state().hosts().markLost(host)));
        leaveLostHost(t, host, false);
    }

    /**
     * The guest's host is lost: the guest is fenced off it and starts elsewhere, or, with
     * {@code fenceWaived}, starts elsewhere at once.
     */
    private void leaveLostHost(Turn t, String host, boolean fenceWaived) {
        Placement p = t.placement();
        if (!host.equals(p.host()) || !p.mayRun() || p.phase() == PlacementPhase.FENCING) {
            return;
        }
        if (!moves.canAct(t, "host " + host + " was lost with " + t.guest() + " on it")) {
            return;
        }
        // Lost while an operator's halt was under way: make sure it is down, but start it nowhere.
        boolean operatorHalt = p.phase() == PlacementPhase.HALTING && p.motive() == Motive.OPERATOR_HALT;
        Optional<HostChoice> target = operatorHalt ? Optional.empty() : HostChoice.choose(t.state(), Set.of(host), t.view());
        if (fenceWaived) {
            if (operatorHalt) {
                t.place(p.down(Motive.OPERATOR_HALT));
            } else if (target.isEmpty()) {
                moves.waitForHost(t, host, Set.of(host));
            } else {
                String to = target.get().host();
                moves.start(t, to, Motive.HOST_LOST, DecisionReason.HOST_LOST_NO_FENCE.toReason(host, t.guest(), to,
                        p.epoch() + 1), target.get().loadsUsed());
            }
            return;
        }
        String to = target.map(HostChoice::host).orElse(null);
        Optional<String> executor = fences.executor(t, host, to);
        t.place(p.fencing(to, operatorHalt ? Motive.OPERATOR_HALT : Motive.HOST_LOST));
        fences.await(t, executor.isEmpty() ? 0 : 1);
        if (executor.isEmpty()) {
            moves.noEligibleHost(t, host, Set.of(host)).epoch(p.epoch()).record();
            return;
        }
        t.decide(Action.FENCE_HOST, DecisionReason.HOST_LOST_FENCE_FIRST.toReason(host, t.guest(), host, executor.get(),
                        t.guest()))
                .from(host).to(to).epoch(p.epoch()).loads(target.map(HostChoice::loadsUsed).orElse(Map.of()))
                .command("fence", decision -> new FenceHost(executor.get(), host, decision)).record();
    }

    /** A fence was confirmed: the host is off (and counts as lost until available), and the guest it held is released. */
    void fenced(Turn t, String host) {
        if (!concerns(t, host)) {
            return;
        }
        t.state(t.state().knowing(t.state().hosts().markFenced(host)));
        Placement p = t.placement();
        if (p.phase() == PlacementPhase.FENCING && host.equals(p.host())) {
            if (p.motive() == Motive.OPERATOR_HALT) {
                // The fence completed the halt the operator asked for: the guest stays down.
                t.place(p.down(Motive.OPERATOR_HALT));
                return;
            }
            moves.startAfterRelease(t, DecisionReason.HOST_FENCED, p, host);
        }
    }

    /** {@code host} is available again (it beats, or came out of maintenance). */
    void back(Turn t, String host) {
        t.state(t.state().knowing(t.state().hosts().markBack(host)));
        Placement p = t.placement();
        PackageSpec spec = t.state().spec();
        if (spec == null || !spec.hosts().contains(host) || !moves.eligible(t, host)) {
            return;
        }
        if (p.phase() == PlacementPhase.WAITING) {
            if (!t.state().maintenance()) {
                moves.start(t, host, p.motive(), DecisionReason.HOST_AVAILABLE.toReason(host, t.guest(), host, p.epoch() + 1),
                        Map.of());
            }
            return;
        }
        if (p.phase() == PlacementPhase.RUNNING && p.motive() == Motive.APP_FAILOVER) {
            t.holdsMayEnd(); // a failover waiting for a host
            return;
        }
        if (p.phase() == PlacementPhase.RUNNING && spec.failbackPolicy() == PackageSpec.FailbackPolicy.AUTOMATIC
                && preferred(spec, host, p.host()) && t.state().switchingEnabled() && !t.state().maintenance()) {
            moves.leave(t, Action.FAILBACK, Motive.FAILBACK, host, DecisionReason.FAILBACK.toReason(host, p.host(), t.guest()))
                    .record();
        }
    }

    /** An operator put {@code host} in maintenance: no guest goes there, and a guest running there moves off it. */
    void intoMaintenance(Turn t, String host) {
        if (!keeps(t, host, t.state().hosts().isInMaintenance(host))) {
            return;
        }
        t.state(t.state().knowing(t.state().hosts().markInMaintenance(host)));
        Placement p = t.placement();
        if (host.equals(p.host()) && p.phase() == PlacementPhase.RUNNING) {
            leaveForMaintenance(t, p);
        }
    }

    /**
     * An operator halts {@code host} ({@code cmhaltnode}): it takes no new guest, any detach of it ends,
     * and a guest running there is live-migrated to the next eligible host (its budgets go with it).
     */
    void halt(Turn t, String host, String who) {
        if (!keeps(t, host, t.state().hosts().isInMaintenance(host))) {
            return;
        }
        t.state(t.state().knowing(t.state().hosts().markAttached(host).markInMaintenance(host)));
        Placement p = t.placement();
        if (host.equals(p.host()) && t.state().hosts().isLost(host)) {
            leaveLostHost(t, host, false); // nothing migrates off a lost host: it is fenced, the guest started elsewhere
            return;
        }
        if (!host.equals(p.host()) || p.phase() != PlacementPhase.RUNNING
                || !moves.canAct(t, "operator " + who + " halts host " + host + " with " + t.guest() + " on it")) {
            return;
        }
        moves.awayFrom(t, p).ifPresent(target -> migrations.migrate(t, p, target.host(),
                DecisionReason.HOST_HALT_MIGRATE.toReason(who, host, t.guest(), target.host(), p.epoch()))
                .loads(target.loadsUsed()).record());
    }

    /**
     * An operator detaches {@code host} (Live Application Detach): a guest running there keeps running
     * untouched, and nothing moves it off the host or fences the host until it runs again.
     */
    void detach(Turn t, String host, String who) {
        if (!keeps(t, host, t.state().hosts().isDetached(host))) {
            return;
        }
        t.state(t.state().knowing(t.state().hosts().markDetached(host)));
        Placement p = t.placement();
        if (host.equals(p.host()) && p.mayRun()) {
            t.decide(Action.NONE, DecisionReason.HOST_DETACHED_BY_OPERATOR.toReason(who, host, t.guest(), host))
                    .from(host).epoch(p.epoch()).record();
        }
    }

    /**
     * An operator runs {@code host} again ({@code cmrunnode}): attached, out of maintenance, eligible
     * again unless lost; what its detach held back (a loss, a failover) is carried out now.
     */
    void run(Turn t, String host, String who) {
        boolean wasDetached = t.state().hosts().isDetached(host);
        t.state(t.state().knowing(t.state().hosts().markAttached(host)));
        Placement p = t.placement();
        if (wasDetached && host.equals(p.host()) && p.mayRun()) {
            t.decide(Action.NONE, DecisionReason.HOST_ATTACHED_BY_OPERATOR.toReason(who, host, t.guest()))
                    .from(host).epoch(p.epoch()).record();
        }
        outOfMaintenance(t, host);
        t.holdsMayEnd();
    }

    /**
     * Whether this guest's state keeps what an operator says of {@code host}: a host it may run on or
     * runs on; without a package, any host while there is room ({@code known}: already kept).
     */
    private static boolean keeps(Turn t, String host, boolean known) {
        GuestState state = t.state();
        boolean roomWithoutPackage = state.spec() == null && (known
                || state.hostsInMaintenance().size() + state.detachedHosts().size() < GuestState.MAX_HOSTS_WITHOUT_PACKAGE);
        return concerns(t, host) || roomWithoutPackage;
    }

    /** An operator took {@code host} out of maintenance: it is back, unless it is lost. */
    void outOfMaintenance(Turn t, String host) {
        t.state(t.state().knowing(t.state().hosts().markOutOfMaintenance(host)));
        if (!t.state().hosts().isLost(host)) {
            back(t, host);
        }
    }

    /** The guest's host goes into maintenance: the guest moves to the next eligible host. */
    private void leaveForMaintenance(Turn t, Placement p) {
        if (!moves.canAct(t, "host " + p.host() + " goes into maintenance with " + t.guest() + " on it")) {
            return;
        }
        Optional<HostChoice> target = moves.awayFrom(t, p);
        if (target.isEmpty()) {
            return;
        }
        String to = target.get().host();
        moves.leave(t, Action.MOVE, Motive.OPERATOR_MOVE, to, DecisionReason.HOST_MAINTENANCE_MOVE.toReason(p.host(),
                t.guest(), to)).loads(target.get().loadsUsed()).record();
    }

    /** Whether {@code host} is one this guest's state keeps track of: its package lists it, or the guest is placed there. */
    private static boolean concerns(Turn t, String host) {
        PackageSpec spec = t.state().spec();
        return host.equals(t.placement().host()) || spec != null && spec.hosts().contains(host);
    }

    private static boolean preferred(PackageSpec spec, String candidate, String current) {
        List<String> order = spec.hosts();
        int now = order.indexOf(current);
        return now < 0 || order.indexOf(candidate) < now;
    }
}
