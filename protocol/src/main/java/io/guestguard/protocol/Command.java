package io.guestguard.protocol;

/**
 * An imperative request to a guest reporter or a host supervisor. The command's id is the id of the
 * CloudEvent that carries it, so receivers can apply each command once.
 */
public sealed interface Command extends Payload permits RestartApp {

    /** The id of the decision that issued this command (for the audit trail). */
    String decisionId();
}
