package io.guestguard.deploy.sim;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The migration watcher's own account of its contact checks after a completed migration, read from
 * its Prometheus page: how many it verified ({@code guestguard_watcher_rebind_latency_seconds_count}
 * with {@code trigger="migration-completed"}), their mean, and the upper bound of the histogram bucket
 * that holds their p99; and the {@code contact-lost} facts it wrote, whatever their trigger
 * ({@code guestguard_watcher_escalations_total}). The watcher writes no record when it verifies
 * contact, so this is the only place the verification itself shows; the simulator's own figure is
 * the rebound on the wire.
 *
 * @param count       checks verified, or -1 if the page could not be read
 * @param meanMs      their mean latency (from the migration's end to the answer read), 0 if none
 * @param p99BoundMs  the upper bound of the bucket holding the p99, -1 if none or unreadable
 * @param escalations {@code contact-lost} facts written, or -1 if the page could not be read
 */
record WatcherMetrics(double count, long meanMs, long p99BoundMs, double escalations) {

    static final String SERIES = "guestguard_watcher_rebind_latency_seconds";
    static final String ESCALATIONS = "guestguard_watcher_escalations_total";
    private static final String TRIGGER = "trigger=\"migration-completed\"";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final WatcherMetrics UNREADABLE = new WatcherMetrics(-1, 0, -1, -1);

    static WatcherMetrics read(String url) {
        try {
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return page.statusCode() == 200 ? of(page.body()) : UNREADABLE;
        } catch (IOException e) {
            return UNREADABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNREADABLE;
        }
    }

    /** The figures on a Prometheus page; a page without the series (no check verified yet) counts 0. */
    static WatcherMetrics of(String page) {
        double escalations = 0;
        for (String line : page.lines().toList()) {
            if (line.startsWith(ESCALATIONS + "{") || line.startsWith(ESCALATIONS + " ")) {
                escalations += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        PrometheusHistogram checks = PrometheusHistogram.of(page, SERIES, TRIGGER);
        return new WatcherMetrics(checks.count(), checks.meanMs(), checks.p99BoundMs(), escalations);
    }
}
