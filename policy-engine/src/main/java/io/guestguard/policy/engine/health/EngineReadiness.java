package io.guestguard.policy.engine.health;

import io.guestguard.streams.StreamsReadiness;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready}: UP while the engine decides in time: its Kafka Streams client is {@code RUNNING} and no input
 * partition is more than {@code guestguard.ready-max-lag} records behind ({@link StreamsReadiness};
 * docs/operations.md, "Health"). Liveness is Quarkus's own Kafka Streams state check.
 */
@Readiness
@Singleton
public class EngineReadiness extends StreamsReadiness {

    EngineReadiness(KafkaStreams streams, @ConfigProperty(name = "guestguard.ready-max-lag", defaultValue = "10000") long maxLag) {
        super("policy-engine", streams, maxLag);
    }
}
