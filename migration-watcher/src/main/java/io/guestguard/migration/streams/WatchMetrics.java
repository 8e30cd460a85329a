package io.guestguard.migration.streams;

import io.guestguard.migration.watch.ContactWatcher.ContactVerified;
import io.guestguard.migration.watch.ContactWatcher.Escalated;
import io.guestguard.migration.watch.ContactWatcher.GapDetected;
import io.guestguard.migration.watch.ContactWatcher.GapHealed;
import io.guestguard.migration.watch.ContactWatcher.MigrationSeen;
import io.guestguard.migration.watch.ContactWatcher.Observation;
import io.guestguard.migration.watch.ContactWatcher.SeqNeverAssigned;
import io.guestguard.migration.watch.ContactWatcher.SeqNotResent;
import io.guestguard.protocol.DeadLetterMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * The watcher's meters, served on {@code /q/metrics} in Prometheus form:
 * {@code guestguard_watcher_migrations_total{outcome}}, {@code guestguard_watcher_rebinds_sent_total},
 * {@code guestguard_watcher_rebind_latency_seconds} (a histogram, from a migration's end, or a check's
 * start, to contact verified; tagged with the trigger), {@code guestguard_watcher_gaps_detected_total},
 * {@code guestguard_watcher_gaps_healed_total}, {@code guestguard_watcher_escalations_total{trigger}} and
 * {@code guestguard_watcher_seq_corrections_total{kind}} (a reporter's answer set the count right:
 * {@code never-assigned} numbers read, {@code not-resent} numbers missed),
 * {@code guestguard_watcher_beats_forgotten_total} (heartbeats forgotten at the bound),
 * {@code guestguard_watcher_beats_read_total} (heartbeats decoded and checked),
 * {@code guestguard_watcher_states_quarantined_total} and
 * {@code guestguard_watcher_escalations_held_total} (escalations that waited for the watcher to read its
 * input up to their deadline: it was behind), and, with signatures on,
 * {@code guestguard_trust_refusals_total{kind}} ({@link io.guestguard.streams.TrustMetrics}); and the
 * dead letters, {@code guestguard_dead_letters_total{service,reason}} ({@link DeadLetterMetrics}).
 * They count what the stream thread did; a record processed again after a crash counts again.
 */
public final class WatchMetrics {

    private final MeterRegistry registry;
    private final Counter rebindsSent;
    private final Counter gapsDetected;
    private final Counter gapsHealed;
    private final Counter beatsForgotten;
    private final Counter beatsRead;
    private final Counter statesQuarantined;
    private final Counter escalationsHeld;

    public WatchMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.rebindsSent = Counter.builder("guestguard.watcher.rebinds.sent")
                .description("rebind commands sent to reporters").register(registry);
        this.gapsDetected = Counter.builder("guestguard.watcher.gaps.detected")
                .description("sequence gaps found in a reporter's facts").register(registry);
        this.gapsHealed = Counter.builder("guestguard.watcher.gaps.healed")
                .description("sequence gaps closed by the reporter's resend").register(registry);
        this.beatsForgotten = Counter.builder("guestguard.watcher.beats.forgotten")
                .description("guests' last heartbeats forgotten at the bound of guests remembered").register(registry);
        this.beatsRead = Counter.builder("guestguard.watcher.beats.read")
                .description("guests' heartbeats decoded and checked (at most one per guest in a quarter of the silence timeout)")
                .register(registry);
        this.statesQuarantined = Counter.builder("guestguard.watcher.states.quarantined")
                .description("stored watches that could not be read, dead-lettered and started again").register(registry);
        this.escalationsHeld = Counter.builder("guestguard.watcher.escalations.held")
                .description("escalations that waited for the watcher to read its input up to their deadline")
                .register(registry);
        // Registered up front, so the series exist (at 0) before the first migration.
        for (String outcome : new String[] {"started", "completed", "failed", "abandoned"}) {
            migrations(outcome);
        }
        DeadLetterMetrics.serve(registry, "migration-watcher");
    }

    void beatForgotten() {
        beatsForgotten.increment();
    }

    void beatRead() {
        beatsRead.increment();
    }

    void stateQuarantined() {
        statesQuarantined.increment();
    }

    void rebindSent() {
        rebindsSent.increment();
    }

    void escalationHeld() {
        escalationsHeld.increment();
    }

    void observe(Observation observation) {
        if (observation instanceof MigrationSeen seen) {
            migrations(seen.outcome()).increment();
        } else if (observation instanceof ContactVerified verified) {
            Timer.builder("guestguard.watcher.rebind.latency")
                    .description("from a migration's end (or a contact check's start) to contact verified")
                    .tag("trigger", verified.trigger())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(10))
                    .maximumExpectedValue(Duration.ofMinutes(1))
                    .register(registry).record(Duration.ofMillis(Math.max(0, verified.latencyMs())));
        } else if (observation instanceof GapDetected) {
            gapsDetected.increment();
        } else if (observation instanceof GapHealed) {
            gapsHealed.increment();
        } else if (observation instanceof SeqNeverAssigned) {
            seqCorrections("never-assigned").increment();
        } else if (observation instanceof SeqNotResent) {
            seqCorrections("not-resent").increment();
        } else if (observation instanceof Escalated escalated) {
            Counter.builder("guestguard.watcher.escalations").description("contact-lost facts written")
                    .tag("trigger", escalated.trigger()).register(registry).increment();
        }
    }

    private Counter seqCorrections(String kind) {
        return Counter.builder("guestguard.watcher.seq.corrections")
                .description("sequence counts a reporter's answer set right (a forged or corrupted number)")
                .tag("kind", kind).register(registry);
    }

    private Counter migrations(String outcome) {
        return Counter.builder("guestguard.watcher.migrations").description("live migrations read from the guest log")
                .tag("outcome", outcome).register(registry);
    }
}
