package io.guestguard.streams;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StreamsReadinessTest {

    private final StreamsReadiness readiness = new StreamsReadiness("test", null, 1_000) {
    };

    @Test
    void aRunningClientWithinItsLagBoundIsReady() {
        assertThat(readiness.troubles(KafkaStreams.State.RUNNING, Map.ofEntries(lag("main-consumer", 999.0), metric(Double.NaN, "other")))).isEmpty();
    }

    @Test
    void aClientNotRunningOrTooFarBehindIsNotAndSaysWhy() {
        assertThat(readiness.troubles(KafkaStreams.State.REBALANCING, Map.ofEntries(lag("main-consumer", 1_500.0), lag("restore-consumer", 3.0))))
                .containsExactly("the Kafka Streams client is REBALANCING, not RUNNING",
                        "1500 records behind on an input partition, more than the 1000 it may be");
    }

    private static Map.Entry<MetricName, Metric> lag(String client, double value) {
        return Map.entry(new MetricName("records-lag-max", "consumer-fetch-manager-metrics", "", Map.of("client-id", client)),
                metricOf(value));
    }

    private static Map.Entry<MetricName, Metric> metric(double value, String name) {
        return Map.entry(new MetricName(name, "consumer-fetch-manager-metrics", "", Map.of()), metricOf(value));
    }

    private static Metric metricOf(double value) {
        return new Metric() {
            @Override
            public MetricName metricName() {
                return null;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        };
    }
}
