package io.guestguard.protocol;

/**
 * The migration watcher's escalation: the guest's reporter did not answer {@link Rebind} in time, or
 * its facts have a gap that did not heal, so failures in the guest may go unnoticed. The policy
 * engine decides on it (the guest fails over) instead of leaving the guest unwatched.
 *
 * @param host the host the guest is placed on
 * @param epoch that placement's epoch
 * @param trigger what started the contact check: {@code migration-completed}, {@code migration-failed},
 *                {@code migration-abandoned}, {@code heartbeats-stopped} or {@code sequence-gap}
 * @param rebindsSent how many rebinds went unanswered
 * @param waitedMs how long the watcher waited for an answer, from the first rebind
 * @param reason what is missing, in words
 */
public record ContactLost(String host, long epoch, String trigger, int rebindsSent, long waitedMs, String reason)
        implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.contactLost(this);
    }

    @Override
    public String describe() {
        return "contact lost with the reporter on " + host + " (epoch " + epoch + ", after " + trigger + "): "
                + rebindsSent + " rebinds unanswered in " + waitedMs + " ms; " + reason;
    }
}
