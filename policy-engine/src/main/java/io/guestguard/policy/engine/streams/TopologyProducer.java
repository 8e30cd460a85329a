package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.policy.engine.config.EngineConfig;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.streams.ThreadReplacer;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * Hands Quarkus Kafka Streams the engine's topology, built from configuration, and what to do when a
 * stream thread dies: replace it, with a backoff and a limit, then exit (see {@link ThreadReplacer}).
 */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    public Topology topology(EngineConfig config) {
        RestartLimit limit;
        try {
            limit = RestartLimit.parse(config.policy().restartLimit());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("application.properties: guestguard.policy.restart-limit: "
                    + e.getMessage() + "; set it to none, unlimited or a whole number", e);
        }
        return DecisionTopology.build(new Topics(config.topicPrefix()), new Decider(limit), new EventCodec(),
                new DecisionTopology.HostDetection(config.policy().hostTimeout(), config.policy().hostCheckInterval()));
    }

    @Produces
    @Singleton
    public StreamsUncaughtExceptionHandler threadReplacer() {
        return new ThreadReplacer("policy-engine", ThreadReplacer.Policy.DEFAULT, () -> Quarkus.asyncExit(1));
    }
}
