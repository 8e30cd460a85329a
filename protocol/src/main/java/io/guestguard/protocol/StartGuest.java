package io.guestguard.protocol;

/**
 * Start the guest on {@code host} as placement {@code epoch}. A supervisor refuses an epoch older
 * than one it has seen for the guest.
 *
 * @param guest the guest to start
 * @param host the host that starts it
 * @param epoch the new placement's epoch
 * @param decisionId the decision that issued this command
 */
public record StartGuest(String guest, String host, long epoch, String decisionId) implements HostCommand {
    @Override
    public CommandKind kind() {
        return CommandKind.START_GUEST;
    }

    @Override
    public <R> R accept(HostCommand.Visitor<R> visitor) {
        return visitor.startGuest(this);
    }
}
