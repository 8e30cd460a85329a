package io.guestguard.protocol.fleet;

import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PlacementPhase;

import java.util.Set;

/**
 * What a guest is doing, as an operator asks it ("how many guests fail over now?"): its placement's
 * phase read with its motive and a migration under way. A placement written before motives were
 * recorded reads as if it had none: a move is then {@link #MOVING}, never {@link #FAILING_OVER}.
 */
public enum GuestActivity {
    /** Confirmed running where it is placed. */
    RUNNING,
    /** Running, but it must fail over (an application used up its restarts) and something holds it there. */
    FAILOVER_HELD,
    /** A live migration was asked for and has not completed yet. */
    MIGRATING,
    /** Leaving its host because something failed there (an application, the host, the guest, a start). */
    FAILING_OVER,
    /** Moving for another reason: an operator's move, a failback. */
    MOVING,
    /** Being started where it ran nowhere (auto_run, an operator's run). */
    STARTING,
    /** An operator's halt is under way. */
    HALTING,
    /** Halted by an operator: down on purpose, until it is run again. */
    HALTED,
    /** Must run, but no host is eligible. */
    WAITING,
    /** Down, not on an operator's halt. */
    DOWN,
    /** No placement: the engine has not placed it yet. */
    UNPLACED;

    private static final Set<String> FAILURES = Set.of("APP_FAILOVER", "HOST_LOST", "GUEST_DOWN", "START_FAILED");
    private static final Set<String> STARTS = Set.of("AUTO_RUN", "OPERATOR_RUN");

    /** What the guest placed as {@code p} ({@code null}: not placed) is doing. */
    public static GuestActivity of(GuestPlacement p) {
        if (p == null || p.phase() == null) {
            return UNPLACED;
        }
        String motive = p.motive() == null ? "NONE" : p.motive();
        if (p.migration() != null) {
            return MIGRATING;
        }
        PlacementPhase phase = p.phase();
        return switch (phase) {
            case RUNNING -> "APP_FAILOVER".equals(motive) ? FAILOVER_HELD : RUNNING;
            case DOWN -> "OPERATOR_HALT".equals(motive) ? HALTED : DOWN;
            case WAITING -> WAITING;
            case STARTING, HALTING, FENCING -> "OPERATOR_HALT".equals(motive) ? HALTING
                    : FAILURES.contains(motive) ? FAILING_OVER
                    : phase == PlacementPhase.STARTING && (STARTS.contains(motive) || motive.equals("NONE")) ? STARTING
                    : MOVING;
        };
    }
}
