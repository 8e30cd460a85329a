package io.guestguard.policy.engine;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The engine's span exporter in tests: in memory, no collector. Quarkus OpenTelemetry uses a CDI
 * {@code SpanExporter} instead of its OTLP one when its SDK is on; an alternative, so only the test
 * profiles that enable it have it ({@link DecisionSpansExportTest}).
 */
@Alternative
@ApplicationScoped
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
