package io.guestguard.protocol;

/**
 * Start one application in the guest the command is keyed by, unless it already runs; the reporter
 * forgets an earlier {@link StopApp}.
 *
 * @param app the application to start
 * @param decisionId the decision that issued this command (the {@code STOP_APP} or {@code START_APP}
 *                   decision on an operator's request; in records written before those decisions
 *                   existed, the id the CLI gave the command it wrote itself)
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
