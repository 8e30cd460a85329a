package io.guestguard.streams;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether a Kafka Streams service is ready to do its job, its {@code /q/health/ready} check: its client
 * is {@code RUNNING} (not starting, rebalancing, restoring or dead) and its main consumers are no more
 * than {@code maxLag} records behind the end of any partition they read ({@code records-lag-max}, the
 * consumer's own figure). A service far behind decides late: a host loss it judges from an old beat
 * backlog, a restart after the application was due.
 */
public abstract class StreamsReadiness implements HealthCheck {

    private final String service;
    private final KafkaStreams streams;
    private final long maxLag;

    /** A service registers a subclass as its {@code @Readiness} bean, naming itself and its lag bound. */
    protected StreamsReadiness(String service, KafkaStreams streams, long maxLag) {
        if (maxLag < 0) {
            throw new IllegalArgumentException("guestguard.ready-max-lag must not be negative, not " + maxLag);
        }
        this.service = service;
        this.streams = streams;
        this.maxLag = maxLag;
    }

    /** UP, or DOWN with each trouble as {@code trouble-N}. */
    @Override
    public HealthCheckResponse call() {
        List<String> troubles = troubles(streams.state(), streams.metrics());
        HealthCheckResponseBuilder response = HealthCheckResponse.named(service).status(troubles.isEmpty());
        for (int i = 0; i < troubles.size(); i++) {
            response.withData("trouble-" + (i + 1), troubles.get(i));
        }
        return response.build();
    }

    /** What keeps a client in {@code state} with {@code metrics} from being ready, empty when nothing does. */
    List<String> troubles(KafkaStreams.State state, Map<MetricName, ? extends Metric> metrics) {
        List<String> troubles = new ArrayList<>();
        if (state != KafkaStreams.State.RUNNING) {
            troubles.add("the Kafka Streams client is " + state + ", not RUNNING");
        }
        double lag = maxRecordsLag(metrics);
        if (lag > maxLag) {
            troubles.add(String.format(java.util.Locale.ROOT, "%.0f records behind on an input partition, more than the %d it may be",
                    lag, maxLag));
        }
        return troubles;
    }

    /** The largest {@code records-lag-max} of the client's consumers (0 when none reports one yet). */
    static double maxRecordsLag(Map<MetricName, ? extends Metric> metrics) {
        return metrics.entrySet().stream()
                .filter(e -> e.getKey().group().equals("consumer-fetch-manager-metrics") && e.getKey().name().equals("records-lag-max")
                        && !e.getKey().tags().containsKey("topic"))
                .map(e -> e.getValue().metricValue())
                .filter(v -> v instanceof Double d && !d.isNaN())
                .mapToDouble(v -> (Double) v).max().orElse(0);
    }
}
