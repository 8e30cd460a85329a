package io.guestguard.protocol;

/**
 * Start one application in the guest the command is keyed by, unless it already runs.
 *
 * @param app the application to start
 * @param decisionId the decision or operator request that issued this command
 */
public record StartApp(String app, String decisionId) implements AppCommand {
    @Override
    public CommandKind kind() {
        return CommandKind.START_APP;
    }

    @Override
    public <R> R accept(GuestCommand.Visitor<R> visitor) {
        return visitor.startApp(this);
    }
}
