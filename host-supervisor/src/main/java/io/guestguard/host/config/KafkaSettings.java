package io.guestguard.host.config;

import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.util.Map;

/**
 * The host supervisor's Kafka settings ({@code kafka.*}, docs/operations.md, "Kafka settings"), checked at
 * start, as every client of the service gets them: replacing Quarkus' own {@code default-kafka-broker}
 * map hands the same bootstrap servers and security to Kafka Streams, SmallRye channels and plain clients.
 */
public class KafkaSettings {

    @Produces
    @Singleton
    public KafkaClientSettings settings(Config config) {
        return KafkaClientSettings.fromConfiguration(config.getPropertyNames(), name -> config.getOptionalValue(name, String.class));
    }

    @Produces
    @Singleton
    @Identifier("default-kafka-broker")
    public Map<String, Object> clientProperties(KafkaClientSettings settings) {
        return settings.properties();
    }
}
