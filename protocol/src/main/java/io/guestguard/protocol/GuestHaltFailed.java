package io.guestguard.protocol;

/**
 * A host supervisor could not confirm the guest halted: it may still run there.
 *
 * @param host the host that tried
 * @param reason why, in words
 */
public record GuestHaltFailed(String host, String reason) implements Fact {
    /** The reason as sent, {@linkplain FreeText#clean cleaned}: it often quotes a hypervisor's or a script's error. */
    public GuestHaltFailed {
        reason = FreeText.clean(reason);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.guestHaltFailed(this);
    }

    @Override
    public String describe() {
        return "guest failed to halt on " + host + ": " + reason;
    }
}
