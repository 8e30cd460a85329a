package io.guestguard.host.messaging;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Whether this host still beats, for the supervisor's liveness: the time since its beat stream last
 * made a beat, against a bound. It measures the stream, not Kafka's answers: a beat stream that
 * stopped (its ticks failed, its sink gave up) is cured by a restart, an unreachable Kafka is not.
 * Before the first beat it says nothing: a supervisor still starting is readiness's business.
 */
final class BeatPulse {

    private final Duration bound;
    private final LongSupplier nanoTime;
    private volatile long lastNanos;
    private volatile boolean beaten;

    /** @param nanoTime the monotonic clock ({@code System::nanoTime}; tests pass their own) */
    BeatPulse(Duration bound, LongSupplier nanoTime) {
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("guestguard.host.live-beat-timeout must be positive, not " + bound);
        }
        this.bound = bound;
        this.nanoTime = nanoTime;
    }

    /** A beat was made now. */
    void beat() {
        lastNanos = nanoTime.getAsLong();
        beaten = true;
    }

    /** Why this host does not beat any more, if it does not. */
    Optional<String> trouble() {
        if (!beaten) {
            return Optional.empty();
        }
        long sinceMs = Duration.ofNanos(nanoTime.getAsLong() - lastNanos).toMillis();
        return sinceMs < bound.toMillis() ? Optional.empty()
                : Optional.of("no host beat made for " + sinceMs + " ms, more than the " + bound.toMillis()
                        + " ms it may be (guestguard.host.live-beat-timeout): the beat stream stopped");
    }
}
