package io.guestguard.protocol;

/**
 * A host the guest may run on is available again (its beats resumed, or maintenance ended).
 *
 * @param host the host
 */
public record HostAvailable(String host) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.hostAvailable(this);
    }

    @Override
    public String describe() {
        return "host " + host + " available";
    }
}
