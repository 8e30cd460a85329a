package io.guestguard.policy.core;

/**
 * Where the guest runs or is going, and at which epoch. Every start of the guest gets a new epoch;
 * commands carry it so that supervisors refuse stale ones, and facts carry it so that the decider
 * ignores reports about a placement that is over.
 *
 * @param host the host of the current placement, or {@code null} if never placed
 * @param epoch the current placement's epoch (0 before the first start)
 * @param phase what the placement is doing
 * @param nextHost where the guest goes once the current host has let it go, or {@code null}
 * @param motive why the guest is moving or down, for the reasons of the decisions that follow
 */
public record Placement(String host, long epoch, Phase phase, String nextHost, Motive motive) {

    public static final Placement NONE = new Placement(null, 0, Phase.DOWN, null, Motive.NONE);

    /** The life of a placement. */
    public enum Phase {
        /** Not running anywhere. */
        DOWN,
        /** A start was sent to {@code host}; waiting for it to confirm. */
        STARTING,
        /** Confirmed running on {@code host}. */
        RUNNING,
        /** A halt was sent to {@code host}; then the guest starts on {@code nextHost}, if any. */
        HALTING,
        /** {@code host} is lost or would not halt; waiting for it to be fenced before {@code nextHost}. */
        FENCING,
        /** Must run, but no host is eligible; waits for one to become available. */
        WAITING
    }

    /** Why a placement changes. */
    public enum Motive {
        NONE, AUTO_RUN, APP_FAILOVER, HOST_LOST, GUEST_DOWN, START_FAILED, FAILBACK, OPERATOR_MOVE, OPERATOR_HALT,
        OPERATOR_RUN
    }

    Placement with(Phase newPhase) {
        return new Placement(host, epoch, newPhase, nextHost, motive);
    }

    /** The guest may be running on {@code host} (started and not yet confirmed halted or fenced). */
    public boolean mayRun() {
        return host != null && (phase == Phase.STARTING || phase == Phase.RUNNING || phase == Phase.HALTING
                || phase == Phase.FENCING);
    }
}
