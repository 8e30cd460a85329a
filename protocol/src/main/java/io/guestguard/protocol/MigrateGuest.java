package io.guestguard.protocol;

/**
 * Live-migrate the guest's placement {@code epoch} from {@code host}, where it runs, to
 * {@code target}. The source supervisor answers with {@code migration.started}, then
 * {@code migration.completed} (the guest runs on the target) or {@code migration.failed} (it still
 * runs on the source).
 *
 * @param guest the guest to migrate
 * @param host the host it runs on, which carries out the migration
 * @param target the host it moves to
 * @param epoch the placement being moved
 * @param decisionId the decision that issued this command
 */
public record MigrateGuest(String guest, String host, String target, long epoch, String decisionId) implements HostCommand {
    @Override
    public CommandKind kind() {
        return CommandKind.MIGRATE_GUEST;
    }

    @Override
    public <R> R accept(HostCommand.Visitor<R> visitor) {
        return visitor.migrateGuest(this);
    }
}
