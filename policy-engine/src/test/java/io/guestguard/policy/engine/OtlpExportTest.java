package io.guestguard.policy.engine;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.Traceparent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * With OpenTelemetry turned on and nothing else, the engine's OTLP exporter sends a decision's span to
 * the endpoint it is given: the settings docs/operations.md names work, and the listener that sees
 * no connection with OpenTelemetry off ({@link DecisionTraceTest}) does see one.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@QuarkusTestResource(value = OtlpListener.class, restrictToAnnotatedClass = true)
@TestProfile(OtlpExportTest.OtlpOn.class)
class OtlpExportTest {

    public static class OtlpOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "10ms");
        }
    }

    @Test
    void aDecisionsSpanIsSentToTheConfiguredEndpoint() throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                EmbeddedKafkaResource.broker().bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            var fact = DecisionTraceTest.failure("otlp-g1", "f1").withTraceparent(Traceparent.start());
            producer.send(new ProducerRecord<>(Topics.DEFAULT.guestLog(), fact.guestId(), new EventCodec().encode(fact))).get();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> OtlpListener.connections() > 0);
    }
}
