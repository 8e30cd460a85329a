package io.guestguard.protocol;

/**
 * Halt the guest's placement {@code epoch} on {@code host}; the supervisor answers with
 * {@code guest.halted} (or {@code guest.halt-failed}).
 *
 * @param guest the guest to halt
 * @param host the host it runs on
 * @param epoch the placement to end
 * @param decisionId the decision that issued this command
 */
public record HaltGuest(String guest, String host, long epoch, String decisionId) implements HostCommand {
    @Override
    public CommandKind kind() {
        return CommandKind.HALT_GUEST;
    }

    @Override
    public <R> R accept(HostCommand.Visitor<R> visitor) {
        return visitor.haltGuest(this);
    }
}
