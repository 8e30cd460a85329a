package io.guestguard.protocol;

/**
 * A host supervisor did not carry out a command addressed to it: the command was stale (an older
 * placement epoch than one the supervisor knows), the guest still runs elsewhere, or the action
 * itself failed (a fence hook that did not confirm). Stamped with the command's epoch. A record
 * written before refusals were typed has no {@code refusal} and decodes with it {@code null}.
 *
 * @param host the host that refused
 * @param commandId the refused command's id
 * @param command the command's kind, on the wire its name, e.g. {@code start-guest}
 * @param refusal why, typed; {@code null} in records written before refusals were typed
 * @param reason why, for people: the particulars (free text, the same field as before refusals were typed)
 */
public record CommandRefused(String host, String commandId, CommandKind command, RefusalReason refusal, String reason)
        implements Fact {
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
