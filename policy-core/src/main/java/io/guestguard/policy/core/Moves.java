package io.guestguard.policy.core;

import io.guestguard.policy.core.Placement.Motive;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.StartGuest;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Placement and host choice: how the guest leaves a host and where it starts next, for every policy
 * that moves it. A guest leaves by a halt and starts on the next host once the halt is confirmed; a
 * start is a new epoch with fresh restart budgets; with no eligible host ({@link HostChoice}) it waits,
 * alerted, for one to come back. Package maintenance, disabled switching and a detached host turn a move
 * into a hold.
 */
final class Moves {

    /** The reason of a start on {@code host} as {@code epoch}. */
    @FunctionalInterface
    interface ReasonFor {
        Decision.Reason of(String host, long epoch);
    }

    /** Holds (and says so) when maintenance, disabled switching or a detached host forbids moving the guest. */
    boolean canAct(Turn t, String what) {
        String host = t.placement().host();
        if (host != null && t.state().hosts().isDetached(host)) {
            t.decide(Action.HOLD, DecisionReason.HOST_DETACHED.toReason(what, host, t.guest(), host)).from(host).record();
            return false;
        }
        if (t.state().maintenance()) {
            t.decide(Action.HOLD, DecisionReason.PACKAGE_IN_MAINTENANCE.toReason(what)).from(host).record();
            return false;
        }
        if (!t.state().switchingEnabled()) {
            t.decide(Action.HOLD, DecisionReason.SWITCHING_DISABLED.toReason(what, t.guest(), host)).from(host).record();
            return false;
        }
        return true;
    }

    /**
     * Halts the guest on its host; it starts on {@code to} once the halt is confirmed ({@code null}:
     * it stays down). The decision is returned to be completed and recorded.
     */
    DecisionBuilder leave(Turn t, Action action, Motive motive, String to, Decision.Reason reason) {
        Placement p = t.placement();
        t.place(p.halting(to, motive));
        return t.decide(action, reason).from(p.host()).to(to).epoch(p.epoch())
                .command("halt", decision -> new HaltGuest(t.guest(), p.host(), p.epoch(), decision));
    }

    /**
     * Halts the running guest to start it on the next eligible host; with none, alerts and keeps
     * the guest marked to leave, so it fails over as soon as a host is eligible again.
     */
    void failOver(Turn t, Placement p, Function<String, Decision.Reason> reasonTo) {
        Optional<HostChoice> target = awayFrom(t, p);
        if (target.isEmpty()) {
            mustLeave(t);
            return;
        }
        String to = target.get().host();
        leave(t, Action.FAILOVER, Motive.APP_FAILOVER, to, reasonTo.apply(to)).loads(target.get().loadsUsed()).record();
    }

    /**
     * The eligible host the guest goes to when it leaves {@code p}'s host, or empty once the alert
     * that none is eligible is recorded.
     */
    Optional<HostChoice> awayFrom(Turn t, Placement p) {
        Set<String> leaving = Set.of(p.host());
        Optional<HostChoice> target = HostChoice.choose(t.state(), leaving, t.view());
        if (target.isEmpty()) {
            noEligibleHost(t, p.host(), leaving).epoch(p.epoch()).record();
        }
        return target;
    }

    /**
     * Remembers that an application used up its restart limit but the guest could not leave (no
     * eligible host, or switching disabled): {@link HeldActions} fails it over as soon as it can,
     * since the application is not restarted and no further failure would remind us.
     */
    void mustLeave(Turn t) {
        Placement p = t.placement();
        if (p.phase() == PlacementPhase.RUNNING) {
            t.place(p.mustLeave());
        }
    }

    /** The old host let the guest go (halted or fenced): start it on the planned or next best host. */
    void startAfterRelease(Turn t, DecisionReason reason, Placement p, String releasedHost) {
        if (p.motive() == Motive.APP_FAILOVER) {
            // As Serviceguard disables node switching where a package failed: not back there in this move.
            t.state(t.state().knowing(t.state().hosts().markFailedTarget(releasedHost)));
        }
        String planned = p.nextHost();
        Optional<HostChoice> target = planned != null && HostChoice.eligible(t.state(), Set.of(releasedHost)).contains(planned)
                ? Optional.of(new HostChoice(planned, Map.of()))
                : HostChoice.choose(t.state(), Set.of(releasedHost), t.view());
        if (target.isEmpty()) {
            waitForHost(t, releasedHost, Set.of(releasedHost));
            return;
        }
        String to = target.get().host();
        Decision.Reason why = reason == DecisionReason.HOST_FENCED
                ? reason.toReason(releasedHost, t.guest(), to, p.epoch() + 1) // host h1 is fenced; start g1 on h2
                : reason.toReason(t.guest(), releasedHost, to, p.epoch() + 1); // g1 halted on h1; start it on h2
        start(t, to, p.motive(), why, target.get().loadsUsed());
    }

    /** Starts the guest on the host chosen among the eligible ones but {@code exclude}; with none, it waits. */
    void startSomewhere(Turn t, Motive motive, Set<String> exclude, ReasonFor reason) {
        Optional<HostChoice> target = HostChoice.choose(t.state(), exclude, t.view());
        if (target.isEmpty()) {
            waitForHost(t, t.placement().host(), exclude);
            return;
        }
        String to = target.get().host();
        start(t, to, motive, reason.of(to, t.placement().epoch() + 1), target.get().loadsUsed());
    }

    /** Starts the guest on {@code to} as the next epoch, with fresh restart budgets. */
    void start(Turn t, String to, Motive motive, Decision.Reason reason, Map<String, Integer> loads) {
        Placement p = t.placement();
        Placement next = p.startingOn(to, motive);
        t.state(t.state().startedAfresh(next));
        long epoch = next.epoch();
        t.decide(Action.START_GUEST, reason).from(p.host()).to(to).epoch(epoch).loads(loads)
                .command("start", decision -> new StartGuest(t.guest(), to, epoch, decision)).record();
    }

    /** No host is eligible: the guest waits for one ({@code WAITING}), alerted. */
    void waitForHost(Turn t, String from, Set<String> exclude) {
        Placement p = t.placement();
        t.place(p.waiting());
        noEligibleHost(t, from, exclude).epoch(p.epoch()).record();
    }

    /** The alert that no host is eligible for a guest leaving {@code from}, and why each listed host is not. */
    DecisionBuilder noEligibleHost(Turn t, String from, Set<String> leaving) {
        return t.decide(Action.ALERT, DecisionReason.NO_ELIGIBLE_HOST.toReason(t.guest(), from,
                HostChoice.whyNone(t.state(), leaving))).from(from);
    }

    /** The alert that {@code who} asked to {@code what} the guest on {@code host}, which is not eligible. */
    void notEligible(Turn t, String who, String what, String host) {
        t.decide(Action.ALERT, DecisionReason.HOST_NOT_ELIGIBLE.toReason(who, what, host, HostChoice.whyNone(t.state(), Set.of())))
                .from(t.placement().host()).to(host).record();
    }

    /** Whether {@code host} is one the package lists, eligible now. */
    boolean eligible(Turn t, String host) {
        return HostChoice.eligible(t.state(), Set.of()).contains(host);
    }
}
