package io.guestguard.protocol;

/**
 * A host supervisor could not start the guest.
 *
 * @param host the host that tried
 * @param reason why, in words
 */
public record GuestStartFailed(String host, String reason) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.guestStartFailed(this);
    }

    @Override
    public String describe() {
        return "guest failed to start on " + host + ": " + reason;
    }
}
