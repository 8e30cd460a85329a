package io.guestguard.policy.engine;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.Traceparent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The trace through the engine on a real broker, with its default settings (OpenTelemetry off): each
 * decision and command carries its fact's trace-id with a span derived from its own id, so the pure
 * decider run again over the same fact at the same time (what {@code replay} does) gives the same
 * records, trace included; a fact without a trace gets one derived from its id; nothing is exported.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@QuarkusTestResource(value = OtlpListener.class, restrictToAnnotatedClass = true)
class DecisionTraceTest {

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();


    @Test
    void theDecisionAndTheCommandCarryTheFactsTraceAndAReplayGivesTheSameRecords() throws Exception {
        Traceparent trace = Traceparent.start();
        CloudEvent<AppFailed> fact = failure("trace-g1", "f1").withTraceparent(trace);
        long appendedAt = send(fact).timestamp();

        CloudEvent<Decision> decision = decisionOf("trace-g1");
        CloudEvent<?> command = commandOf("trace-g1");

        assertThat(decision.data().action()).isEqualTo(Decision.Action.RESTART_APP);
        assertThat(decision.traceparent().traceId()).isEqualTo(trace.traceId());
        assertThat(command.traceparent().traceId()).isEqualTo(trace.traceId());
        assertThat(decision.traceparent().parentId()).isNotEqualTo(trace.parentId())
                .isNotEqualTo(command.traceparent().parentId());
        assertThat(command.data()).isInstanceOf(RestartApp.class);
        assertThat(((RestartApp) command.data()).decisionId()).isEqualTo(decision.id());

        // The replay: the pure decider over the same fact at its append time, stamped as the engine stamps.
        var replayed = new Decider(new RestartLimit(3)).decide(GuestState.EMPTY, fact, Instant.ofEpochMilli(appendedAt));
        assertThat(replayed.decisions()).singleElement()
                .satisfies(d -> assertThat(d.withTraceparent(Traceparent.causedBy(fact, d.id()))).isEqualTo(decision));
        assertThat(replayed.commands()).singleElement()
                .satisfies(c -> assertThat(c.withTraceparent(Traceparent.causedBy(fact, c.id()))).isEqualTo(command));
    }

    @Test
    void aFactWithoutATraceGetsOneDerivedFromItsId() throws Exception {
        CloudEvent<AppFailed> fact = failure("trace-g2", "f1");
        send(fact);

        CloudEvent<Decision> decision = decisionOf("trace-g2");
        CloudEvent<?> command = commandOf("trace-g2");

        assertThat(decision.traceparent()).isEqualTo(Traceparent.of(fact.id()).derived(decision.id()));
        assertThat(command.traceparent()).isEqualTo(Traceparent.of(fact.id()).derived(command.id()));
    }

    @Test
    void withOpenTelemetryOffNothingConnectsToTheExportersEndpoint() throws Exception {
        send(failure("trace-g3", "f1").withTraceparent(Traceparent.start()));
        decisionOf("trace-g3");

        // The OTLP exporter is pointed at a listener: with the SDK disabled it never connects
        // (OtlpExportTest: with it enabled, the same listener sees the exporter's connection).
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> OtlpListener.connections() == 0);
    }

    private RecordMetadata send(CloudEvent<? extends Fact> fact) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer())) {
            return producer.send(new ProducerRecord<>(topics.guestLog(), fact.guestId(), codec.encode(fact))).get();
        }
    }

    @SuppressWarnings("unchecked")
    private CloudEvent<Decision> decisionOf(String guest) {
        return (CloudEvent<Decision>) firstOf(topics.decisions(), guest);
    }

    private CloudEvent<?> commandOf(String guest) {
        return firstOf(topics.guestCommands(), guest);
    }

    private CloudEvent<?> firstOf(String topic, String guest) {
        try (TopicReader reader = new TopicReader(servers, topic)) {
            return await().atMost(Duration.ofSeconds(60)).until(() -> reader.poll().stream().filter(r -> guest.equals(r.key()))
                    .map(ConsumerRecord::value).map(codec::decode).findFirst().orElse(null), e -> e != null);
        }
    }

    static CloudEvent<AppFailed> failure(String guest, String id) {
        return CloudEvent.ofGuest(guest + "-" + id, "/guest/" + guest + "/reporter", Instant.now(), guest,
                AppFailed.killed("app1", 42, "KILL"));
    }
}
