package io.guestguard.reporter.health;

import io.guestguard.protocol.DeadLetterMetrics;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.reporter.app.CommandCounts;
import io.guestguard.reporter.app.Reporter;
import io.guestguard.reporter.durable.Outbox;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The reporter's meters on {@code /q/metrics} (Prometheus, loopback like its health):
 * {@code guestguard_reporter_outbox_facts} (facts Kafka has not acknowledged yet),
 * {@code guestguard_reporter_outbox_oldest_age_seconds} (how old the oldest of them is, by the guest's
 * clock; 0 when none), {@code guestguard_reporter_outbox_dropped_total} (facts given up at the outbox's
 * bound) and {@code guestguard_reporter_restarts_total} (restart commands applied, all applications);
 * {@code guestguard_reporter_commands_total{kind,outcome}} (each command applied or refused, by kind:
 * {@code restart-app}, {@code stop-app}, {@code start-app}, {@code rebind}),
 * {@code guestguard_app_restarts_total{app}} (restart commands applied, per application of the guest
 * file) and {@code guestguard_dead_letters_total{service,reason}} (the commands it dead-lettered). Read
 * at scrape time from the reporter itself, so they cost nothing between scrapes. Registered once the
 * reporter has started (its start observes the same event first), since the applications come from
 * its guest file.
 */
@Singleton
public class ReporterMetrics {

    private final EventCodec codec = new EventCodec();

    void register(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) StartupEvent started, MeterRegistry registry,
                  Reporter reporter) {
        Gauge.builder("guestguard.reporter.outbox.facts", reporter, r -> r.outbox().map(Outbox::size).orElse(0))
                .description("facts Kafka has not acknowledged yet").register(registry);
        Gauge.builder("guestguard.reporter.outbox.oldest.age", reporter, r -> oldestAgeSeconds(codec, r.outbox(), Instant.now()))
                .baseUnit("seconds").description("age of the oldest unacknowledged fact, by the guest's clock").register(registry);
        FunctionCounter.builder("guestguard.reporter.outbox.dropped", reporter, r -> r.outbox().map(Outbox::droppedCount).orElse(0L))
                .description("facts given up at the outbox's bound").register(registry);
        FunctionCounter.builder("guestguard.reporter.restarts", reporter, Reporter::restartsApplied)
                .description("restart commands applied").register(registry);
        reporter.commandCounts().ifPresent(counts -> registerCommands(registry, counts));
        DeadLetterMetrics.serve(registry, "guest-reporter");
    }

    private static void registerCommands(MeterRegistry registry, CommandCounts counts) {
        for (CommandKind kind : CommandCounts.KINDS) {
            for (CommandCounts.Outcome outcome : CommandCounts.Outcome.values()) {
                FunctionCounter.builder("guestguard.reporter.commands", counts, c -> c.count(kind, outcome))
                        .description("guest commands applied or refused, by kind").tag("kind", kind.wireName())
                        .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry);
            }
        }
        for (String app : counts.apps()) {
            FunctionCounter.builder("guestguard.app.restarts", counts, c -> c.restarts(app))
                    .description("restart commands applied to the application").tag("app", app).register(registry);
        }
    }

    /** How old, at {@code now}, the oldest unacknowledged fact of {@code outbox} is, by its own time (0 when none). */
    static double oldestAgeSeconds(EventCodec codec, java.util.Optional<Outbox> outbox, Instant now) {
        return outbox.flatMap(Outbox::oldestPending).map(entry -> {
            try {
                return Math.max(0, Duration.between(codec.decode(entry.payload()).time(), now).toMillis() / 1000.0);
            } catch (RejectedRecordException e) {
                return 0.0; // its own record, written by this codec: cannot happen short of a torn disk
            }
        }).orElse(0.0);
    }
}
