package io.guestguard.migration.health;

import io.guestguard.streams.StreamsReadiness;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready}: UP while the watcher judges contact in time: its Kafka Streams client is {@code RUNNING} and no input
 * partition is more than {@code guestguard.ready-max-lag} records behind ({@link StreamsReadiness};
 * docs/operations.md, "Health"). Liveness is Quarkus's own Kafka Streams state check.
 */
@Readiness
@Singleton
public class WatcherReadiness extends StreamsReadiness {

    WatcherReadiness(KafkaStreams streams, @ConfigProperty(name = "guestguard.ready-max-lag", defaultValue = "10000") long maxLag) {
        super("migration-watcher", streams, maxLag);
    }
}
