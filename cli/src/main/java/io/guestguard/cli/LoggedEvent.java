package io.guestguard.cli;

import io.guestguard.protocol.CloudEvent;

/**
 * A decoded record of the log and where it came from, for progress and difference reports.
 *
 * @param event the CloudEvent
 * @param where {@code topic-partition@offset} or {@code FILE:line}
 * @param offset its offset in its partition, or its line number in a file
 */
record LoggedEvent(CloudEvent<?> event, String where, long offset) {
}
