package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.policy.engine.config.BrokerClock;
import io.guestguard.policy.engine.config.EngineConfig;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.Trust;
import io.guestguard.streams.ServiceTrust;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.guestguard.streams.ThreadReplacer;
import io.guestguard.streams.TrustMetrics;
import io.guestguard.policy.engine.tracing.OtelDecisionSpans;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.runtime.Quarkus;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Duration;

/**
 * Hands Quarkus Kafka Streams the engine's topology, built from configuration, once the guest log and
 * the hosts' beats are known to be stamped by the broker ({@link BrokerClock}): Kafka Streams builds the
 * topology before it starts, so nothing is decided on times a guest or a host could set. With
 * signatures on, the key ring is read from the keys topic first and the engine's and the detector's
 * keys are read from their files, so a bad setting stops the engine at start, naming it. Decisions are
 * reported as OpenTelemetry spans through {@code otel}, a no-op unless its SDK is turned on. Also what to
 * do when a stream thread dies: replace it, with a backoff and a limit, then exit (see {@link ThreadReplacer}).
 */
@ApplicationScoped
public class TopologyProducer {

    static final String DETECTOR_KEY_FILE = "guestguard.trust.detector-key-file";

    /** The guest log's and the beats' settings, read with the service's Kafka settings (as Kafka Streams has them). */
    private static void requireBrokerClock(Topics topics, KafkaClientSettings kafka) {
        String servers = kafka.bootstrapServers();
        try (Admin admin = Admin.create(kafka.properties())) {
            BrokerClock.require(admin, topics.guestLog(), BrokerClock.DECIDER, servers, Duration.ofSeconds(1));
            BrokerClock.require(admin, topics.hostHeartbeats(), BrokerClock.DETECTOR, servers, Duration.ofSeconds(1));
        }
    }

    @Produces
    @Singleton
    public Trust trust(EngineConfig config, KafkaClientSettings kafka) {
        return ServiceTrust.open("policy-engine", config.trust().rootKeyFile(), kafka.properties(),
                new Topics(config.topicPrefix()), new EventCodec());
    }

    void close(@Disposes Trust trust) {
        trust.close();
    }

    @Produces
    public Topology topology(EngineConfig config, KafkaClientSettings kafka, Trust trust, MeterRegistry registry, OpenTelemetry otel) {
        RestartLimit limit;
        try {
            limit = RestartLimit.parse(config.policy().restartLimit());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("application.properties: guestguard.policy.restart-limit: "
                    + e.getMessage() + "; set it to none, unlimited or a whole number", e);
        }
        Topics topics = new Topics(config.topicPrefix());
        EngineTrust signing = new EngineTrust(trust.gate(),
                trust.signer(ServiceTrust.KEY_FILE, config.trust().keyFile().orElse(null), Role.ENGINE),
                trust.signer(DETECTOR_KEY_FILE, config.trust().detectorKeyFile().orElse(null), Role.DETECTOR));
        requireBrokerClock(topics, kafka);
        TrustMetrics.serve(registry, trust);
        return DecisionTopology.build(topics, new Decider(limit), new EventCodec(),
                new DecisionTopology.HostDetection(config.policy().hostTimeout(), config.policy().hostCheckInterval(),
                        config.policy().detachTimeout(), config.policy().detachExpiry() == EngineConfig.DetachExpiry.FAIL_OVER,
                        DecisionTopology.HostDetection.DEFAULT_MAX_HOSTS_PER_PARTITION), signing, new EngineMetrics(registry),
                new EngineTracing(config.trace().propagate(), spans(otel)));
    }

    /**
     * Spans only with OpenTelemetry's SDK on: with it off the tracer is a no-op, but each decision's
     * span would still be built (its name and eight attributes) on the stream thread.
     */
    private static DecisionSpans spans(OpenTelemetry otel) {
        boolean off = ConfigProvider.getConfig().getOptionalValue("quarkus.otel.sdk.disabled", Boolean.class).orElse(false);
        return off ? DecisionSpans.NONE : new OtelDecisionSpans(otel);
    }

    @Produces
    @Singleton
    public StreamsUncaughtExceptionHandler threadReplacer() {
        return new ThreadReplacer("policy-engine", ThreadReplacer.Policy.DEFAULT, () -> Quarkus.asyncExit(1));
    }
}
