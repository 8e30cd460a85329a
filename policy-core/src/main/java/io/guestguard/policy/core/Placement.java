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

    // ---- transitions: the placement that follows this one ----

    /** Found running on {@code host} without the decider starting it (a guest adopted as it runs). */
    static Placement adopted(String host, long epoch) {
        return new Placement(host, epoch, Phase.RUNNING, null, Motive.NONE);
    }

    /** The start was confirmed: running, the move over. */
    Placement confirmedRunning() {
        return new Placement(host, epoch, Phase.RUNNING, null, Motive.NONE);
    }

    /** Still running, but an application used up its restarts: it fails over as soon as it may. */
    Placement mustLeave() {
        return new Placement(host, epoch, Phase.RUNNING, null, Motive.APP_FAILOVER);
    }

    /** A halt was sent; then the guest starts on {@code next} ({@code null}: it stays down). */
    Placement halting(String next, Motive why) {
        return new Placement(host, epoch, Phase.HALTING, next, why);
    }

    /** Waiting for the host to be fenced; then the guest starts on {@code next}, if any. */
    Placement fencing(String next, Motive why) {
        return new Placement(host, epoch, Phase.FENCING, next, why);
    }

    /** Not running any more, for {@code why}. */
    Placement down(Motive why) {
        return new Placement(host, epoch, Phase.DOWN, null, why);
    }

    /** Must run, but no host is eligible: waits for one, for the same motive. */
    Placement waiting() {
        return new Placement(host, epoch, Phase.WAITING, null, motive);
    }

    /** A start sent to {@code to}: the next epoch. */
    Placement startingOn(String to, Motive why) {
        return new Placement(to, epoch + 1, Phase.STARTING, null, why);
    }

    /** Live-migrated to {@code to} and still running there: the next epoch. */
    Placement migratedTo(String to) {
        return new Placement(to, epoch + 1, Phase.RUNNING, null, Motive.NONE);
    }

    /** Live-migrated to {@code to} while an operator's halt was under way: the halt follows it there. */
    Placement haltFollowingTo(String to) {
        return new Placement(to, epoch + 1, Phase.HALTING, null, Motive.OPERATOR_HALT);
    }

    /** In words, for reasons: "running on h1 as epoch 2", or "placed nowhere". */
    String describe() {
        return host == null ? "placed nowhere" : phase.name().toLowerCase(java.util.Locale.ROOT) + " on " + host
                + " as epoch " + epoch;
    }

    /** The guest may be running on {@code host} (started and not yet confirmed halted or fenced). */
    public boolean mayRun() {
        return host != null && (phase == Phase.STARTING || phase == Phase.RUNNING || phase == Phase.HALTING
                || phase == Phase.FENCING);
    }
}
