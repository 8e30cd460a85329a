package io.guestguard.protocol;

import java.util.List;

/**
 * The audit record of one decision on {@code decisions.v1}: what was decided, why in words and as a
 * typed code, and which facts caused it. A replay of the log must reproduce it exactly.
 *
 * @param action what was decided
 * @param app the application concerned
 * @param attempt the restart attempt this decision makes (or would have made), starting at 1
 * @param limit the restart limit in force, or {@code null} when unlimited
 * @param reason why, as a code and a readable sentence
 * @param causeIds ids of the facts that caused this decision
 * @param commandIds ids of the commands this decision issued
 */
public record Decision(Action action, String app, int attempt, Integer limit, Reason reason,
                       List<String> causeIds, List<String> commandIds) implements Payload {

    public Decision {
        causeIds = List.copyOf(causeIds);
        commandIds = List.copyOf(commandIds);
    }

    /** What a decision does. */
    public enum Action {
        /** Restart the application in place. */
        RESTART_APP,
        /** Do nothing more for this application; the reason says why. */
        NONE
    }

    /**
     * A typed reason with a readable sentence.
     *
     * @param code the machine-readable reason
     * @param text a sentence for people
     */
    public record Reason(String code, String text) {
    }
}
