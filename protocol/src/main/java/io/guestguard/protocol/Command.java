package io.guestguard.protocol;

/**
 * An imperative request to a guest reporter ({@code guest-commands.v1}, keyed by guest) or a host
 * supervisor ({@link HostCommand}, {@code host-commands.v1}, keyed by host). The command's id is the
 * id of the CloudEvent that carries it, so receivers can apply each command once.
 */
public sealed interface Command extends Payload permits GuestCommand, HostCommand {

    /** The id of the decision that issued this command (for the audit trail). */
    String decisionId();
}
