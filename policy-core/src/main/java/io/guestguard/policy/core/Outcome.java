package io.guestguard.policy.core;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;

import java.util.List;

/**
 * What one fact leads to: the guest's next state, the decisions taken (audit records) and the
 * commands they issue. Every command's decision id names one of {@code decisions}.
 *
 * @param state the guest's state after the fact
 * @param decisions the audit records, in order
 * @param commands the commands to send, in order
 */
public record Outcome(GuestState state, List<CloudEvent<Decision>> decisions, List<CloudEvent<Command>> commands) {
    public Outcome {
        decisions = List.copyOf(decisions);
        commands = List.copyOf(commands);
    }

    /** The fact changed nothing that needs deciding. */
    public static Outcome unchanged(GuestState state) {
        return new Outcome(state, List.of(), List.of());
    }
}
