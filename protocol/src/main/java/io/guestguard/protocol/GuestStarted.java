package io.guestguard.protocol;

/**
 * A host supervisor started the guest; the fact's {@code epoch} is the placement it started.
 *
 * @param host the host it runs on
 */
public record GuestStarted(String host) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.guestStarted(this);
    }

    @Override
    public String describe() {
        return "guest started on " + host;
    }
}
