package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.Decision;
import io.guestguard.protocol.DeadLetterMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Duration;

/**
 * The engine's decision meters, served on {@code /q/metrics} in Prometheus form:
 * {@code guestguard_decisions_total{action,reason}} (every decision written, by its action and reason
 * code) and {@code guestguard_decision_latency_seconds} (a histogram: from the broker's append of a fact
 * to the engine deciding on it, for the facts that led to a decision). With signatures on, the
 * refusals are {@code guestguard_trust_refusals_total{kind}} ({@link io.guestguard.streams.TrustMetrics}).
 * The latency starts at the fact's append time, the broker's clock (the time the decider decides at),
 * and ends at the engine's wall clock when it decides: with the two machines' clocks in step (NTP) it
 * is the time a fact waited for its decision; a negative span, a skewed engine clock, counts as 0.
 * Also the dead letters ({@code guestguard_dead_letters_total{service,reason}},
 * {@link DeadLetterMetrics}) and the host-loss detector's {@code guestguard_host_beat_age_seconds{host}}
 * ({@link HostBeatAges}). They count what the stream thread did: a record processed again after a crash counts again.
 */
public final class EngineMetrics {

    private final MeterRegistry registry;
    private final Timer latency;
    private final HostBeatAges beatAges;

    public EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency = Timer.builder("guestguard.decision.latency")
                .description("from a fact's append on the guest log to the engine's decision on it")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry);
        this.beatAges = new HostBeatAges(registry);
        DeadLetterMetrics.serve(registry, "policy-engine");
    }

    /** Meters nobody reads (the benchmarks, the topology tests). */
    static EngineMetrics none() {
        return new EngineMetrics(new CompositeMeterRegistry());
    }

    /** A fact appended at {@code appendedAtMs} (the broker's clock) led to {@code decision} at {@code nowMs}. */
    void decided(Decision decision, long appendedAtMs, long nowMs) {
        Counter.builder("guestguard.decisions").description("decisions written, by action and reason")
                .tag("action", decision.action().name()).tag("reason", decision.reason().code()).register(registry).increment();
        latency.record(Duration.ofMillis(Math.max(0, nowMs - appendedAtMs)));
    }

    /** The host-loss detector's beat ages. */
    HostBeatAges beatAges() {
        return beatAges;
    }

    /** The distribution of fact-to-decision latencies, for tests. */
    Timer latency() {
        return latency;
    }
}
