package io.guestguard.policy.core;

import io.guestguard.policy.core.Placement.Motive;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.FenceHost;
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
 * in maintenance with the guest on it moves the guest off it. Only hosts that concern the guest (its
 * package lists them, or it is placed there) are kept.
 */
final class HostPolicy {
    private final Moves moves;
    private final FencePolicy fences;

    HostPolicy(Moves moves, FencePolicy fences) {
        this.moves = moves;
        this.fences = fences;
    }

    /** A {@code host.lost} fact: the loss is kept, and the guest leaves the host if it ran there. */
    void lost(Turn t, String host) {
        if (!concerns(t, host)) {
            return; // a host this guest can neither run on nor runs on: nothing to keep
        }
        t.state(t.state().knowing(t.state().hosts().markLost(host)));
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
        GuestState state = t.state();
        boolean roomWithoutPackage = state.spec() == null && (state.hosts().isInMaintenance(host)
                || state.hostsInMaintenance().size() < GuestState.MAX_HOSTS_WITHOUT_PACKAGE);
        if (!concerns(t, host) && !roomWithoutPackage) {
            return; // not a host of this guest's: nothing to keep
        }
        t.state(state.knowing(state.hosts().markInMaintenance(host)));
        Placement p = t.placement();
        if (host.equals(p.host()) && p.phase() == PlacementPhase.RUNNING) {
            leaveForMaintenance(t, p);
        }
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
