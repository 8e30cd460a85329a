package io.guestguard.deploy.fleet;

import io.guestguard.protocol.CloudEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Every fact and decision the timeline read, numbered in reading order and stamped with when it was
 * read. A play or a measurement waits for the next event that matches, after a mark it took before
 * acting, so an answer cannot be mistaken for one that came before the act.
 */
final class Observed {

    /** One event as read: its place in reading order and {@link System#nanoTime()} at reading. */
    record Seen(int seq, long nanos, CloudEvent<?> event) {
    }

    private final List<Seen> seen = new ArrayList<>();

    Observed(Timeline timeline) {
        timeline.addListener(this::add);
    }

    private synchronized void add(CloudEvent<?> event) {
        seen.add(new Seen(seen.size(), System.nanoTime(), event));
        notifyAll();
    }

    /** The number the next event read will get. */
    synchronized int mark() {
        return seen.size();
    }

    /**
     * The first event numbered {@code from} or later that matches, waiting for it until
     * {@code deadline} ({@link System#nanoTime()}).
     *
     * @throws DeadlineException when none came in time; its message says what was awaited
     */
    synchronized Seen await(int from, Predicate<CloudEvent<?>> match, long deadline, String what) throws InterruptedException {
        for (int i = from; ; i++) {
            while (i >= seen.size()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    TimelineFormat format = new TimelineFormat(java.time.ZoneId.systemDefault());
                    String last = seen.subList(Math.max(0, seen.size() - 8), seen.size()).stream()
                            .map(s -> format.line(s.event())).collect(java.util.stream.Collectors.joining("\n    "));
                    throw new DeadlineException("no sign of " + what + " in time; " + seen.size()
                            + " facts and decisions read, the last:\n    " + last);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            if (match.test(seen.get(i).event())) {
                return seen.get(i);
            }
        }
    }

    /** The events numbered {@code from} to {@code to} (inclusive) that match. */
    synchronized List<Seen> between(int from, int to, Predicate<CloudEvent<?>> match) {
        return seen.subList(Math.min(from, seen.size()), Math.min(to + 1, seen.size())).stream()
                .filter(s -> match.test(s.event())).toList();
    }

    /** The events so far that match. */
    synchronized List<Seen> all(Predicate<CloudEvent<?>> match) {
        return seen.stream().filter(s -> match.test(s.event())).toList();
    }

    static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    /** What was awaited did not happen before the deadline. */
    static final class DeadlineException extends RuntimeException {
        DeadlineException(String message) {
            super(message);
        }
    }
}
