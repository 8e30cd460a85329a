package io.guestguard.protocol;

/**
 * A live migration failed or was abandoned: the guest stays on {@code from}.
 *
 * @param from the source host, which keeps the guest
 * @param to the target host
 * @param reason why, in words
 */
public record MigrationFailed(String from, String to, String reason) implements Fact {
    /** The reason as sent, {@linkplain FreeText#clean cleaned}: it often quotes a hypervisor's or a script's error. */
    public MigrationFailed {
        reason = FreeText.clean(reason);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.migrationFailed(this);
    }

    @Override
    public String describe() {
        return "migration failed " + from + " -> " + to + ": " + reason;
    }
}
