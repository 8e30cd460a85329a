package io.guestguard.protocol;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a guest's placement: the one vocabulary of the decider, the {@code placement.v1}
 * records ({@link GuestPlacement#phase()}, on the wire as the constant's name) and every service
 * that reads them. Whether a guest may be running on its placement's host is decided here, by
 * {@link #mayRun()}, and nowhere else.
 */
public enum PlacementPhase {
    /** Not running anywhere. */
    DOWN,
    /** A start was sent to the placement's host; waiting for it to confirm. */
    STARTING,
    /** Confirmed running on the placement's host. */
    RUNNING,
    /** A halt was sent to the placement's host; then the guest starts on the next host, if any. */
    HALTING,
    /** The placement's host is lost or would not halt; waiting for it to be fenced before the next host. */
    FENCING,
    /** Must run, but no host is eligible; waits for one to become available. */
    WAITING;

    private static final Set<PlacementPhase> MAY_RUN = EnumSet.of(STARTING, RUNNING, HALTING, FENCING);

    /**
     * Whether, in this phase, the guest may be running on the placement's host: started and not yet
     * confirmed halted or fenced. Such a placement counts towards its host's load, and a host lost
     * under it must be fenced (or the guest known down) before the guest starts elsewhere.
     */
    public boolean mayRun() {
        return MAY_RUN.contains(this);
    }
}
