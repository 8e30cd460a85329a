package io.guestguard.protocol;

/**
 * The host the guest is placed on stopped beating (written by the heartbeat detector, one fact
 * per guest placed there).
 *
 * @param host the lost host
 */
public record HostLost(String host) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.hostLost(this);
    }

    @Override
    public String describe() {
        return "host " + host + " lost";
    }
}
