package io.guestguard.protocol;

/**
 * Stop one application in the guest the command is keyed by; the reporter reports it as stopped,
 * not failed, so nothing restarts it until a {@link StartApp} or {@link RestartApp}.
 *
 * @param app the application to stop
 * @param decisionId the decision that issued this command (the {@code STOP_APP} or {@code START_APP}
 *                   decision on an operator's request; in records written before those decisions
 *                   existed, the id the CLI gave the command it wrote itself)
 */
public record StopApp(String app, String decisionId) implements AppCommand {
    @Override
    public CommandKind kind() {
        return CommandKind.STOP_APP;
    }

    @Override
    public <R> R accept(GuestCommand.Visitor<R> visitor) {
        return visitor.stopApp(this);
    }
}
