package io.guestguard.streams;

import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.Trust;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;

/**
 * A service's records refused for their provenance, served as {@code guestguard_trust_refusals_total{kind}}
 * ({@code unsigned}, {@code bad-signature}, {@code unknown-key}, {@code revoked-key},
 * {@code not-authorized}): each refusal's reason is in its dead letter, the counts say how often.
 */
public final class TrustMetrics {

    private TrustMetrics() {
    }

    /** Serves {@code trust}'s refusals by kind, read from its counts at each scrape; nothing when signatures are off. */
    public static void serve(MeterRegistry registry, Trust trust) {
        if (!trust.on()) {
            return;
        }
        for (Provenance.Refusal kind : Provenance.Refusal.values()) {
            FunctionCounter.builder("guestguard.trust.refusals", trust, t -> t.refusals().getOrDefault(kind, 0L))
                    .description("records refused for their provenance (signature, key or authorization)")
                    .tag("kind", kind.name().toLowerCase(Locale.ROOT).replace('_', '-')).register(registry);
        }
    }
}
