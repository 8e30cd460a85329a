package io.guestguard.deploy.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A timer's histogram off a Prometheus page, and what a phase adds to it between two readings. */
class PrometheusHistogramTest {

    private static final String SERIES = "guestguard_decision_latency_seconds";

    private static String page(long within10ms, long within50ms, long within250ms, long all, double sumSeconds) {
        return """
                # TYPE guestguard_decision_latency_seconds histogram
                guestguard_decision_latency_seconds_bucket{le="0.01"} %d
                guestguard_decision_latency_seconds_bucket{le="0.05"} %d
                guestguard_decision_latency_seconds_bucket{le="0.25"} %d
                guestguard_decision_latency_seconds_bucket{le="+Inf"} %d
                guestguard_decision_latency_seconds_count %d
                guestguard_decision_latency_seconds_sum %s
                guestguard_decision_latency_seconds_max 0.3
                guestguard_decision_latency_seconds_other_count 99
                """.formatted(within10ms, within50ms, within250ms, all, all, sumSeconds);
    }

    @Test
    void aPhaseGetsItsOwnMeanAndP99BucketFromTwoReadingsOfGrowingCounters() {
        PrometheusHistogram before = PrometheusHistogram.of(page(1000, 1000, 1000, 1000, 5.0), SERIES, "");
        PrometheusHistogram after = PrometheusHistogram.of(page(1000, 1050, 1099, 1100, 9.0), SERIES, "");

        PrometheusHistogram phase = after.minus(before);

        assertThat(phase.count()).isEqualTo(100);
        assertThat(phase.meanMs()).as("4 s over 100 decisions").isEqualTo(40);
        assertThat(phase.p99BoundMs()).as("99 of the phase's 100 within 0.25 s, though the run's p99 is within 0.01 s")
                .isEqualTo(250);
        assertThat(after.p99BoundMs()).isEqualTo(250);
        assertThat(before.p99BoundMs()).isEqualTo(10);
        assertThat(phase).hasToString("mean 40 ms, p99 <= 250 ms over 100");
    }

    @Test
    void twoInstancesAddUpAndOnlyTheSeriesWithTheLabelsCount() {
        String twoTriggers = """
                t_seconds_bucket{trigger="a",le="0.1"} 3
                t_seconds_bucket{trigger="a",le="+Inf"} 4
                t_seconds_count{trigger="a"} 4
                t_seconds_sum{trigger="a"} 0.8
                t_seconds_bucket{trigger="b",le="+Inf"} 50
                t_seconds_count{trigger="b"} 50
                t_seconds_sum{trigger="b"} 500.0
                """;
        PrometheusHistogram one = PrometheusHistogram.of(twoTriggers, "t_seconds", "trigger=\"a\"");

        PrometheusHistogram both = one.plus(one);

        assertThat(both.count()).isEqualTo(8);
        assertThat(both.meanMs()).isEqualTo(200);
        assertThat(both.p99BoundMs()).as("the eighth is only under +Inf").isEqualTo(Long.MAX_VALUE);
        assertThat(PrometheusHistogram.of(twoTriggers, "t_seconds", "").count()).isEqualTo(54);
    }

    @Test
    void aPageWithoutTheSeriesIsEmpty() {
        PrometheusHistogram none = PrometheusHistogram.of("jvm_threads_live_threads 40.0\n", SERIES, "");

        assertThat(none.count()).isZero();
        assertThat(none.meanMs()).isZero();
        assertThat(none.p99BoundMs()).isEqualTo(-1);
        assertThat(none).hasToString("mean 0 ms, p99 <= unknown over 0");
    }
}
