package io.guestguard.deploy.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading the watcher's contact checks off its Prometheus page: only those after a completed migration count. */
class WatcherMetricsTest {

    private static final String PAGE = """
            # TYPE guestguard_watcher_rebind_latency_seconds histogram
            guestguard_watcher_rebind_latency_seconds_bucket{trigger="migration-completed",le="0.05"} 2
            guestguard_watcher_rebind_latency_seconds_bucket{trigger="migration-completed",le="0.1"} 150
            guestguard_watcher_rebind_latency_seconds_bucket{trigger="migration-completed",le="0.25"} 198
            guestguard_watcher_rebind_latency_seconds_bucket{trigger="migration-completed",le="0.5"} 200
            guestguard_watcher_rebind_latency_seconds_bucket{trigger="migration-completed",le="+Inf"} 200
            guestguard_watcher_rebind_latency_seconds_count{trigger="migration-completed"} 200
            guestguard_watcher_rebind_latency_seconds_sum{trigger="migration-completed"} 16.0
            guestguard_watcher_rebind_latency_seconds_max{trigger="migration-completed"} 0.4
            guestguard_watcher_rebind_latency_seconds_bucket{trigger="heartbeats-stopped",le="+Inf"} 7
            guestguard_watcher_rebind_latency_seconds_count{trigger="heartbeats-stopped"} 7
            guestguard_watcher_rebind_latency_seconds_sum{trigger="heartbeats-stopped"} 70.0
            # TYPE guestguard_watcher_escalations_total counter
            guestguard_watcher_escalations_total{trigger="heartbeats-stopped"} 2.0
            guestguard_watcher_escalations_total{trigger="sequence-gap"} 1.0
            guestguard_watcher_rebinds_sent_total 209.0
            """;

    @Test
    void countsMeanAndP99BucketOfTheChecksAfterACompletedMigrationAndEveryEscalation() {
        WatcherMetrics metrics = WatcherMetrics.of(PAGE);

        assertThat(metrics.count()).isEqualTo(200);
        assertThat(metrics.meanMs()).isEqualTo(80);
        assertThat(metrics.p99BoundMs()).as("198 of 200 within 0.25 s").isEqualTo(250);
        assertThat(metrics.escalations()).isEqualTo(3);
    }

    @Test
    void aWatcherThatVerifiedNothingYetCountsZero() {
        WatcherMetrics metrics = WatcherMetrics.of("guestguard_watcher_rebinds_sent_total 0.0\n");

        assertThat(metrics.count()).isZero();
        assertThat(metrics.p99BoundMs()).isEqualTo(-1);
        assertThat(metrics.escalations()).isZero();
    }
}
