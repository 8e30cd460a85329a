package io.guestguard.protocol;

/**
 * A host supervisor could not start the guest.
 *
 * @param host the host that tried
 * @param reason why, in words
 */
public record GuestStartFailed(String host, String reason) implements Fact {
    /** The reason as sent, {@linkplain FreeText#clean cleaned}: it often quotes a hypervisor's or a script's error. */
    public GuestStartFailed {
        reason = FreeText.clean(reason);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.guestStartFailed(this);
    }

    @Override
    public String describe() {
        return "guest failed to start on " + host + ": " + reason;
    }
}
