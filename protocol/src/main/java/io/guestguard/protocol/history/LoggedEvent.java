package io.guestguard.protocol.history;

import io.guestguard.protocol.CloudEvent;

import java.time.Instant;

/**
 * A decoded record of the log and where it came from, for replays, explanations and histories.
 *
 * @param event the CloudEvent
 * @param where {@code topic-partition@offset} or {@code FILE:line}
 * @param offset its offset in its partition, or its line number in a file
 * @param decisionTime the time the engine's decider read for it: the record's timestamp on the broker
 *                     (for {@code guest-log.v1}, its append time), as an export carries it
 */
public record LoggedEvent(CloudEvent<?> event, String where, long offset, Instant decisionTime) {
}
