package io.guestguard.policy.engine;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.Traceparent;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * OpenTelemetry turned on ({@code quarkus.otel.sdk.disabled=false}): the engine exports one span per
 * decision, a child of the fact's traceparent, with the guest, application, action and reason code.
 * The spans are read from an in-memory exporter ({@link InMemorySpans}), which replaces the OTLP one:
 * no collector is needed.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@TestProfile(DecisionSpansExportTest.OtelOn.class)
class DecisionSpansExportTest {

    public static class OtelOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "10ms");
        }

        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(InMemorySpans.class);
        }
    }

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();

    @Inject
    InMemorySpanExporter spans;

    @Test
    void eachDecisionIsOneSpanUnderItsFactsTrace() throws Exception {
        Traceparent trace = Traceparent.start();
        CloudEvent<AppFailed> fact = DecisionTraceTest.failure("otel-g1", "f1").withTraceparent(trace);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.guestLog(), fact.guestId(), codec.encode(fact))).get();
        }
        CloudEvent<?> decision;
        try (TopicReader reader = new TopicReader(servers, topics.decisions())) {
            decision = await().atMost(Duration.ofSeconds(60)).until(() -> reader.poll().stream().filter(r -> "otel-g1".equals(r.key()))
                    .map(ConsumerRecord::value).map(codec::decode).findFirst().orElse(null), e -> e != null);
        }

        SpanData span = await().atMost(Duration.ofSeconds(30)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(s -> "otel-g1".equals(s.getAttributes().get(AttributeKey.stringKey("guestguard.guest")))).toList(),
                l -> !l.isEmpty()).get(0);

        assertThat(span.getName()).isEqualTo("decide RESTART_APP");
        assertThat(span.getTraceId()).isEqualTo(trace.traceId());
        assertThat(span.getParentSpanId()).isEqualTo(trace.parentId());
        assertThat(span.getParentSpanContext().isRemote()).isTrue();
        assertThat(span.getAttributes().get(AttributeKey.stringKey("guestguard.app"))).isEqualTo("app1");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("guestguard.action"))).isEqualTo("RESTART_APP");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("guestguard.reason")))
                .isEqualTo(((Decision) decision.data()).reason().code());
        assertThat(span.getAttributes().get(AttributeKey.stringKey("guestguard.decision.traceparent")))
                .isEqualTo(decision.traceparent().toString());
        assertThat(spans.getFinishedSpanItems().stream().filter(s -> s.getName().startsWith("decide ")
                && "otel-g1".equals(s.getAttributes().get(AttributeKey.stringKey("guestguard.guest"))))).hasSize(1);
    }
}
