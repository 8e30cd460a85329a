package io.guestguard.agent;

import io.guestguard.protocol.DeadLetterCounts;
import io.guestguard.protocol.DeadLetterKind;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * An agent's dead letters, served as {@code guestguard_dead_letters_total{service,reason}}:
 * read at each scrape from {@link DeadLetterCounts}, one series per {@link DeadLetterKind} (a bounded
 * set), every one there from the start at 0. (The Kafka Streams services serve theirs with stream-shell's twin:
 * neither library may depend on the other, and both count into the same plain-Java counts.)
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
