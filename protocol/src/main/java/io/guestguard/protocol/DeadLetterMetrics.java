package io.guestguard.protocol;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A service's dead letters, served as {@code guestguard_dead_letters_total{service,reason}}: read at
 * each scrape from {@link DeadLetterCounts}, one series per {@link DeadLetterKind} (a bounded set),
 * every one there from the start at 0. The one place all four services serve them from; Micrometer is
 * an optional dependency of this module (the services have it, the CLI does not need it).
 */
public final class DeadLetterMetrics {

    private DeadLetterMetrics() {
    }

    /** Serves the dead letters {@code service} writes; once per registry, however often it is called. */
    public static void serve(MeterRegistry registry, String service) {
        if (registry.find("guestguard.dead.letters").tag("service", service).functionCounter() != null) {
            return;
        }
        DeadLetterCounts counts = DeadLetterCounts.of(service);
        for (DeadLetterKind kind : DeadLetterKind.values()) {
            FunctionCounter.builder("guestguard.dead.letters", counts, c -> c.count(kind))
                    .description("records written to the dead-letter topic, by the kind of their reason")
                    .tag("service", service).tag("reason", kind.label()).register(registry);
        }
    }
}
