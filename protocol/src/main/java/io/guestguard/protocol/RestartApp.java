package io.guestguard.protocol;

/**
 * Restart one application in the guest the command is keyed by, after a backoff delay.
 *
 * @param app the application to restart
 * @param attempt this restart's number within the application's budget, starting at 1
 * @param limit the most restarts allowed, or {@code null} when unlimited
 * @param delayMs how long the reporter waits before starting it (the backoff), 0 for at once
 * @param decisionId the decision that issued this command
 */
public record RestartApp(String app, int attempt, Integer limit, long delayMs, String decisionId) implements AppCommand {
    @Override
    public CommandKind kind() {
        return CommandKind.RESTART_APP;
    }

    @Override
    public <R> R accept(GuestCommand.Visitor<R> visitor) {
        return visitor.restartApp(this);
    }
}
