package io.guestguard.protocol;

/**
 * A host supervisor did not carry out a command addressed to it: the command was stale (an older
 * placement epoch than one the supervisor knows), the guest still runs elsewhere, or the action
 * itself failed (a fence hook that did not confirm). Stamped with the command's epoch.
 *
 * @param host the host that refused
 * @param commandId the refused command's id
 * @param command the command's kind, e.g. {@code start-guest}
 * @param reason why, for people
 */
public record CommandRefused(String host, String commandId, String command, String reason) implements Fact {
    /** The reason as sent, {@linkplain FreeText#clean cleaned}: it often quotes a hypervisor's or a script's error. */
    public CommandRefused {
        reason = FreeText.clean(reason);
    }


    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.commandRefused(this);
    }

    @Override
    public String describe() {
        return host + " refused " + command + " " + commandId + ": " + reason;
    }
}
