package io.guestguard.protocol.history;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;

import java.util.List;

/**
 * One decision with what explains it: the facts that caused it and the commands it sent, each with
 * what became of it.
 *
 * @param decision the decision
 * @param causes its causes, in its order
 * @param commands its commands, in its order
 */
public record DecisionChain(CloudEvent<Decision> decision, List<Cause> causes, List<Sent> commands) {

    public DecisionChain {
        causes = List.copyOf(causes);
        commands = List.copyOf(commands);
    }

    /**
     * A cause of a decision.
     *
     * @param id the fact's event id
     * @param fact the fact, or {@code null} when it is not among the facts read (gone from the log, or
     *             older than what was read)
     */
    public record Cause(String id, LoggedEvent fact) {
    }

    /**
     * A command that was sent.
     *
     * @param id the command's id
     * @param command the command's record, or {@code null} when its topic was not read or no longer has it
     * @param outcome what became of it
     */
    public record Sent(String id, LoggedEvent command, CommandOutcome outcome) {
    }
}
