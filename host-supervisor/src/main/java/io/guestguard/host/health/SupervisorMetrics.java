package io.guestguard.host.health;

import io.guestguard.protocol.DeadLetterMetrics;
import io.guestguard.host.SupervisorService;
import io.guestguard.host.supervisor.CommandOutcomes;
import io.guestguard.protocol.CommandKind;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The host supervisor's meters on {@code /q/metrics} (Prometheus):
 * {@code guestguard_supervisor_commands_total{kind,outcome}} (each host command applied or refused, by
 * its kind) and {@code guestguard_supervisor_fence_seconds} (count and total time of the fence hook's
 * runs), read at scrape time from the supervisor ({@link CommandOutcomes}); zero before it started; and
 * {@code guestguard_dead_letters_total{service,reason}} (the commands it dead-lettered, {@link DeadLetterMetrics}).
 */
@Singleton
public class SupervisorMetrics {

    void register(@Observes StartupEvent started, MeterRegistry registry, SupervisorService service) {
        for (CommandKind kind : new CommandKind[] {CommandKind.START_GUEST, CommandKind.HALT_GUEST, CommandKind.MIGRATE_GUEST,
                CommandKind.FENCE_HOST}) {
            for (CommandOutcomes.Outcome outcome : CommandOutcomes.Outcome.values()) {
                FunctionCounter.builder("guestguard.supervisor.commands", service, s -> count(s, o -> o.count(kind, outcome)))
                        .description("host commands applied or refused, by kind").tag("kind", kind.wireName())
                        .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry);
            }
        }
        FunctionTimer.builder("guestguard.supervisor.fence", service, s -> (long) count(s, CommandOutcomes::fences),
                        s -> s.outcomes().map(CommandOutcomes::fenceSeconds).orElse(0.0), TimeUnit.SECONDS)
                .description("runs of the fence hook, confirmed or not").register(registry);
        DeadLetterMetrics.serve(registry, "host-supervisor");
    }

    /** What {@code of} says of the supervisor's outcomes; 0 before it started. */
    private static double count(SupervisorService service, ToLongFunction<CommandOutcomes> of) {
        return service.outcomes().map(of::applyAsLong).orElse(0L);
    }
}
