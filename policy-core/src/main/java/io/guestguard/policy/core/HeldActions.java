package io.guestguard.policy.core;

import io.guestguard.policy.core.Placement.Motive;
import io.guestguard.protocol.PlacementPhase;

import java.util.Set;

/**
 * What maintenance, disabled switching, a detached host or a missing host held back (step 5 of the {@link Decider}'s
 * algorithm), carried out once nothing forbids it any more: a guest that went down by itself starts
 * elsewhere, a guest on a lost host is fenced (or started elsewhere), a guest whose application used
 * up its restart limit fails over. The decider runs it after a fact whose policy said that holds may
 * have ended ({@link Turn#holdsMayEnd()}).
 */
final class HeldActions {
    private final Moves moves;
    private final HostPolicy hosts;

    HeldActions(Moves moves, HostPolicy hosts) {
        this.moves = moves;
        this.hosts = hosts;
    }

    void resume(Turn t) {
        Placement p = t.placement();
        GuestState state = t.state();
        if (state.maintenance() || !state.switchingEnabled() || state.spec() == null
                || p.host() != null && state.hosts().isDetached(p.host())) {
            return;
        }
        if (p.phase() == PlacementPhase.DOWN && p.motive() == Motive.GUEST_DOWN) {
            moves.startSomewhere(t, Motive.GUEST_DOWN, Set.of(p.host()),
                    (to, epoch) -> DecisionReason.GUEST_DOWN.toReason(t.guest(), p.host(), to, epoch));
            return;
        }
        if (p.phase() != PlacementPhase.RUNNING) {
            return;
        }
        if (state.hosts().isLost(p.host())) {
            hosts.lostEarlier(t, p.host());
            return;
        }
        if (p.motive() == Motive.APP_FAILOVER) {
            moves.failOver(t, p, to -> DecisionReason.HELD_FAILOVER.toReason(t.guest(), p.host(), to));
        }
    }
}
