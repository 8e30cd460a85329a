package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Gives every Quarkus test that declares {@code @QuarkusTestResource(EmbeddedKafkaResource.class)} a
 * real Kafka broker with GuestGuard's topics. One broker serves the whole test JVM (started on first
 * use, stopped when the JVM exits), so test classes do not pay for a broker each; tests keep apart by
 * using their own guest ids.
 */
public class EmbeddedKafkaResource implements QuarkusTestResourceLifecycleManager {

    /** Partitions per topic in tests: more than one, so keying by guest is exercised. */
    public static final int PARTITIONS = 3;

    private static EmbeddedKafka broker;

    /** The shared test broker, started on first call. */
    public static synchronized EmbeddedKafka broker() {
        if (broker == null) {
            broker = EmbeddedKafka.startTemporary(Topics.DEFAULT, PARTITIONS);
            EmbeddedKafka started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-kafka-shutdown"));
        }
        return broker;
    }

    @Override
    public Map<String, String> start() {
        String servers = broker().bootstrapServers();
        return Map.of(
                "kafka.bootstrap.servers", servers,
                "quarkus.kafka-streams.bootstrap-servers", servers,
                // Kafka Streams state belongs to this broker: a state folder left by an earlier broker
                // holds offsets that no longer exist and would stall the application.
                "kafka-streams.state.dir", broker().workDir().resolve("streams-state").toString());
    }

    @Override
    public void stop() {
        // The broker outlives each test class on purpose; the shutdown hook stops it.
    }
}
