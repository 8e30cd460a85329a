package io.guestguard.console;

import io.guestguard.protocol.kafka.KafkaClientSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/**
 * The console's Kafka settings ({@code kafka.*}, docs/operations.md, "Kafka settings"), read and checked at
 * start as every service reads them.
 */
public class KafkaSettings {

    @Produces
    @Singleton
    public KafkaClientSettings settings(Config config) {
        return KafkaClientSettings.fromConfiguration(config.getPropertyNames(), name -> config.getOptionalValue(name, String.class));
    }
}
