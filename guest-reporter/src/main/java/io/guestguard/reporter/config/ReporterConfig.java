package io.guestguard.reporter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;

/**
 * Where the reporter finds its guest file, and how patient its Kafka clients are. Everything about
 * the guest itself (its id, applications, state folder, outbox) is in that one YAML file.
 */
@ConfigMapping(prefix = "guestguard")
public interface ReporterConfig {

    /** Prefix of every GuestGuard topic. */
    @WithName("topic-prefix")
    @WithDefault("guestguard.")
    String topicPrefix();

    Reporter reporter();

    interface Reporter {
        /** The guest's YAML file. */
        @WithName("config-file")
        String configFile();

        /** A fact Kafka has not acknowledged within this is given up by its producer and sent again on a new one. */
        @WithName("delivery-timeout")
        @WithDefault("30s")
        Duration deliveryTimeout();

        /** One request to Kafka may take this long. */
        @WithName("request-timeout")
        @WithDefault("10s")
        Duration requestTimeout();

        /** The oldest fact in flight may go this long without an answer before the producer is replaced. */
        @WithName("stall-timeout")
        @WithDefault("10s")
        Duration stallTimeout();

        /**
         * On a rebind (the guest moved to another host), a producer whose oldest fact in flight has had
         * no answer for this long is replaced at once: its connection probably died with the move.
         */
        @WithName("rebind-stall-timeout")
        @WithDefault("500ms")
        Duration rebindStallTimeout();

        /**
         * Readiness is DOWN while facts have waited this long with no acknowledgement from Kafka (the
         * outbox keeps them; readiness says they do not arrive).
         */
        @WithName("ready-ack-timeout")
        @WithDefault("30s")
        Duration readyAckTimeout();
    }
}
