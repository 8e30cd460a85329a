package io.guestguard.protocol;

/**
 * A host supervisor confirmed the guest halted; the fact's {@code epoch} is the placement it ended.
 *
 * @param host the host it ran on
 */
public record GuestHalted(String host) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.guestHalted(this);
    }

    @Override
    public String describe() {
        return "guest halted on " + host;
    }
}
