package io.guestguard.deploy.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.OptionalDouble;

/**
 * One scrape of a service's {@code /q/metrics} (Prometheus text), for the tests: the value of a series
 * named as the page names it, labels in Micrometer's order (by name), e.g.
 * {@code guestguard_dead_letters_total{reason="unreadable",service="policy-engine"}}.
 */
public record MetricsPage(String text) {

    /** Scrapes {@code metrics}, the service's {@code /q/metrics}. */
    public static MetricsPage scrape(URI metrics) {
        try {
            return new MetricsPage(ServiceHttp.get(metrics).body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of {@code series}, empty if the page has no such series. */
    public OptionalDouble value(String series) {
        return text.lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).strip())).findFirst();
    }

    /** The value of {@code series}, 0 if the page has none (a counter not yet registered). */
    public double valueOrZero(String series) {
        return value(series).orElse(0);
    }

    /** Whether the page has {@code series}. */
    public boolean has(String series) {
        return value(series).isPresent();
    }
}
