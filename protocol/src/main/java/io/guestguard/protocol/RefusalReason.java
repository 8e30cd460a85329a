package io.guestguard.protocol;

/**
 * Why a command was refused ({@link CommandRefused#refusal()}): a typed vocabulary, each value with
 * a sentence a person understands. The refusal's free-text {@link CommandRefused#reason()} says the
 * particulars (which epoch, which host, the hook's output).
 */
public enum RefusalReason {
    /** The command is about an older placement than the newest one the engine wrote. */
    STALE_EPOCH("the command is about an older placement than the newest one"),
    /** The command's placement is not one this host may start: halted since, or placed on another host. */
    NOT_STARTABLE_HERE("the command's placement is not one this host may start"),
    /** The supervisor's picture of the fleet is incomplete, so a second runner could not be ruled out. */
    CANNOT_RULE_OUT_SECOND_RUNNER("this host cannot rule out that another host runs the guest"),
    /** Another host's latest beat lists the guest: starting it here would make a second runner. */
    RUNS_ELSEWHERE("another host runs the guest; starting it here would make a second runner"),
    /** The guest a migration is about does not run on this host (nor already on the target). */
    NOT_RUNNING_HERE("the guest does not run on this host"),
    /** The migration's target host cannot be reached or is unknown to this host. */
    TARGET_UNAVAILABLE("the migration's target host is not available to this host"),
    /** The fence hook did not confirm that the lost host is off. */
    FENCE_NOT_CONFIRMED("the fence hook did not confirm that the host is off");

    private final String sentence;

    RefusalReason(String sentence) {
        this.sentence = sentence;
    }

    /** What the reason means, in words. */
    public String sentence() {
        return sentence;
    }
}
