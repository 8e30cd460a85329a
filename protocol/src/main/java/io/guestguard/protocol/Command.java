package io.guestguard.protocol;

/**
 * An imperative request to a guest reporter ({@link GuestCommand}, {@code guest-commands.v1}, keyed
 * by guest) or a host supervisor ({@link HostCommand}, {@code host-commands.v1}, keyed by host). The
 * command's id is the id of the CloudEvent that carries it, so receivers can apply each command once.
 * Receivers dispatch with a visitor ({@link GuestCommand.Visitor}, {@link HostCommand.Visitor}, or
 * {@link Visitor} for both), never on the type's string or with {@code instanceof}.
 */
public sealed interface Command extends Payload permits GuestCommand, HostCommand {

    /** The id of the decision that issued this command (for the audit trail). */
    String decisionId();

    /** What the command asks for. */
    CommandKind kind();

    /** Dispatches to the visitor method for this command's type. */
    <R> R accept(Visitor<R> visitor);

    /**
     * One method per command type, so that adding a command breaks every consumer that must handle
     * it: the guest commands' methods and the host commands'.
     */
    interface Visitor<R> extends GuestCommand.Visitor<R>, HostCommand.Visitor<R> {
    }
}
