package io.guestguard.policy.engine;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The engine against a real broker: facts in, transactional decisions and commands out, dead letters aside. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class PolicyEngineTest {

    private static final EventCodec CODEC = new EventCodec();
    private final EventCodec codec = CODEC;
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();

    @Test
    void restartsUpToTheConfiguredLimitAndRecordsEveryDecision() throws Exception {
        String guest = "engine-limit";
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int i = 1; i <= 4; i++) {
                producer.send(new ProducerRecord<>(topics.guestLog(), guest, codec.encode(failure(guest, "f" + i, 100 + i)))).get();
            }
        }
        try (TopicReader commands = new TopicReader(servers, topics.guestCommands());
             TopicReader decisions = new TopicReader(servers, topics.decisions())) {
            List<Decision> decided = await().atMost(Duration.ofSeconds(60)).until(
                    () -> decisionsOf(decisions.poll(), guest), d -> d.size() == 4);
            assertThat(decided).extracting(Decision::action).containsExactly(Decision.Action.RESTART_APP,
                    Decision.Action.RESTART_APP, Decision.Action.RESTART_APP, Decision.Action.NONE);
            assertThat(decided.get(3).causeIds()).containsExactly(guest + "-f4");

            List<RestartApp> restarts = await().atMost(Duration.ofSeconds(30)).until(
                    () -> commands.poll().stream().filter(r -> guest.equals(r.key()))
                            .map(r -> (RestartApp) codec.decode(r.value()).data()).toList(), r -> r.size() == 3);
            assertThat(restarts).extracting(RestartApp::attempt).containsExactly(1, 2, 3);
            assertThat(restarts).allSatisfy(r -> assertThat(r.limit()).isEqualTo(3));
        }
    }

    @Test
    void aMalformedRecordIsDeadLetteredAndTheEngineKeepsDeciding() throws Exception {
        String guest = "engine-dlq";
        byte[] garbage = "{\"specversion\":\"1.0\"".getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.guestLog(), guest, garbage)).get();
            producer.send(new ProducerRecord<>(topics.guestLog(), guest, codec.encode(failure(guest, "after", 7)))).get();
        }
        try (TopicReader deadLetters = new TopicReader(servers, topics.deadLetter());
             TopicReader decisions = new TopicReader(servers, topics.decisions())) {
            ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofSeconds(60)).until(
                    () -> deadLetters.poll().stream().filter(r -> guest.equals(r.key())).findFirst().orElse(null),
                    r -> r != null);
            assertThat(dead.value()).isEqualTo(garbage);
            assertThat(new String(dead.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
                    .startsWith("malformed JSON");
            await().atMost(Duration.ofSeconds(60)).until(() -> decisionsOf(decisions.poll(), guest), d -> d.size() == 1);
        }
    }

    static List<Decision> decisionsOf(List<ConsumerRecord<String, byte[]>> records, String guest) {
        return records.stream().filter(r -> guest.equals(r.key())).map(r -> (Decision) CODEC.decode(r.value()).data()).toList();
    }

    private KafkaProducer<String, byte[]> producer() {
        return producer(servers);
    }

    static KafkaProducer<String, byte[]> producer(String servers) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer());
    }

    static CloudEvent<AppFailed> failure(String guest, String id, long pid) {
        return CloudEvent.ofGuest(guest + "-" + id, "/guest/" + guest + "/reporter", Instant.now(), guest,
                AppFailed.killed("app1", pid, "KILL"));
    }
}
