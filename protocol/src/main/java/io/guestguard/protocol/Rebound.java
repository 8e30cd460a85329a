package io.guestguard.protocol;

/**
 * A reporter's answer to {@link Rebind}: its streams work again. Every fact with a sequence number
 * below {@code nextSeq} has been written to its outbox (this answer included), and those Kafka had not
 * acknowledged were sent again, so a watcher that has not seen one of them knows the gap will heal.
 *
 * @param rebindId the id of the rebind command answered
 * @param host the host named in the rebind
 * @param epoch the placement epoch named in the rebind
 * @param nextSeq the sequence number the reporter assigns next
 * @param resent how many unacknowledged facts were sent again
 * @param clientsRecreated whether the Kafka clients had stalled and were made anew
 */
public record Rebound(String rebindId, String host, long epoch, long nextSeq, int resent, boolean clientsRecreated)
        implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.rebound(this);
    }

    @Override
    public String describe() {
        return "reporter rebound to " + host + " (epoch " + epoch + "), next seq " + nextSeq + ", " + resent + " resent"
                + (clientsRecreated ? ", Kafka clients recreated" : "");
    }
}
