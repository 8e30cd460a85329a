package io.guestguard.protocol;

/**
 * A live migration completed: the guest runs on {@code to}, applications untouched.
 *
 * @param from the source host
 * @param to the target host
 */
public record MigrationCompleted(String from, String to) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.migrationCompleted(this);
    }

    @Override
    public String describe() {
        return "migration completed " + from + " -> " + to;
    }
}
