package io.guestguard.streams;

/**
 * When a processor asks Kafka Streams for a commit at once ({@code context.commit()}), rather than at
 * the end of {@code commit.interval.ms}: the engine after a command, the watcher after any record.
 *
 * <p>Nothing a service writes is read by anyone before its transaction commits (every reader reads
 * committed), so what a live record causes should commit at once. But a commit waits for all its
 * writes to be acknowledged (about 10 ms on the recorded machine), and committing every few
 * milliseconds holds back a service while a backlog lasts. So: a commit is asked for once the time
 * since the last one asked is at least as long as the record in hand waited since the broker
 * appended it. A live record (it waited a millisecond or two) commits at once; a backlog commits less
 * often the longer its records waited, down to the commit interval, the backstop; a commit never more
 * than doubles a record's wait.
 *
 * <p>A record's wait is this machine's clock less the broker's append time. If this clock runs ahead
 * of the broker's by {@code s} ms, a live record's outputs may wait up to {@code s} ms (at most the
 * commit interval) for their commit; if it runs behind, records look live and commit at once, as
 * often as Kafka Streams' loop allows. Keep the two clocks in step (NTP), as for the rest of the fleet.
 */
public final class CommitPacing {

    private long lastAskedAt = Long.MIN_VALUE / 2;

    /** Whether to ask for a commit now that the record appended at {@code appendedAt} is done. */
    public boolean due(long now, long appendedAt) {
        long waited = Math.max(0, now - appendedAt);
        if (now - lastAskedAt < waited) {
            return false;
        }
        lastAskedAt = now;
        return true;
    }
}
