package io.guestguard.protocol;

/**
 * Restart one application in the guest the command is keyed by.
 *
 * @param app the application to restart
 * @param attempt this restart's number, starting at 1
 * @param limit the most restarts allowed, or {@code null} when unlimited
 * @param decisionId the decision that issued this command
 */
public record RestartApp(String app, int attempt, Integer limit, String decisionId) implements Command {
}
