package io.guestguard.protocol;

/**
 * A live migration of the guest began.
 *
 * @param from the source host
 * @param to the target host
 */
public record MigrationStarted(String from, String to) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.migrationStarted(this);
    }

    @Override
    public String describe() {
        return "migration started " + from + " -> " + to;
    }
}
