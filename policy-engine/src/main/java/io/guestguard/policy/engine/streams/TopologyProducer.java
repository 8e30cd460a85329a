package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.policy.engine.config.EngineConfig;
import io.guestguard.policy.engine.config.BrokerClock;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.streams.ThreadReplacer;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands Quarkus Kafka Streams the engine's topology, built from configuration, once the guest log and
 * the hosts' beats are known to be stamped by the broker ({@link BrokerClock}): Kafka Streams builds the
 * topology before it starts, so nothing is decided on times a guest or a host could set. Also what to do when
 * a stream thread dies: replace it, with a backoff and a limit, then exit (see {@link ThreadReplacer}).
 */
@ApplicationScoped
public class TopologyProducer {

    /** The guest log's settings, read with the bootstrap servers and client settings Kafka Streams has. */
    private static void requireBrokerClock(Topics topics) {
        org.eclipse.microprofile.config.Config settings = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        String servers = settings.getValue("quarkus.kafka-streams.bootstrap-servers", String.class);
        Map<String, Object> client = new HashMap<>();
        for (String name : settings.getPropertyNames()) {
            String key = name.startsWith("kafka-streams.") ? name.substring("kafka-streams.".length()) : null;
            if (key != null && AdminClientConfig.configNames().contains(key)) {
                settings.getOptionalValue(name, String.class).ifPresent(v -> client.put(key, v));
            }
        }
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        try (Admin admin = Admin.create(client)) {
            BrokerClock.require(admin, topics.guestLog(), BrokerClock.DECIDER, servers, Duration.ofSeconds(1));
            BrokerClock.require(admin, topics.hostHeartbeats(), BrokerClock.DETECTOR, servers, Duration.ofSeconds(1));
        }
    }

    @Produces
    public Topology topology(EngineConfig config) {
        RestartLimit limit;
        try {
            limit = RestartLimit.parse(config.policy().restartLimit());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("application.properties: guestguard.policy.restart-limit: "
                    + e.getMessage() + "; set it to none, unlimited or a whole number", e);
        }
        Topics topics = new Topics(config.topicPrefix());
        requireBrokerClock(topics);
        return DecisionTopology.build(topics, new Decider(limit), new EventCodec(),
                new DecisionTopology.HostDetection(config.policy().hostTimeout(), config.policy().hostCheckInterval()));
    }

    @Produces
    @Singleton
    public StreamsUncaughtExceptionHandler threadReplacer() {
        return new ThreadReplacer("policy-engine", ThreadReplacer.Policy.DEFAULT, () -> Quarkus.asyncExit(1));
    }
}
