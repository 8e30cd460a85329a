package io.guestguard.migration;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.SigningKey;
import io.guestguard.protocol.trust.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.guestguard.migration.TrustedWatcherResource.KEYS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The watcher with signatures on, on a real broker: a migration its source host signed is watched
 * and the rebind that follows is signed with the watcher's key; the same facts unsigned are
 * dead-lettered, counted on the metrics endpoint, and rebind nothing.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@QuarkusTestResource(value = TrustedWatcherResource.class, restrictToAnnotatedClass = true)
class SignedProvenanceWatcherTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/q/metrics")
    URI metrics;

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();

    @Test
    void rebindsOnlyForAMigrationItsHostSignedAndSignsTheRebind() throws Exception {
        SigningKey wh1 = TestKeys.read(KEYS, TrustedWatcherResource.SOURCE);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer());
             TopicReader commands = new TopicReader(servers, topics.guestCommands());
             TopicReader deadLetters = new TopicReader(servers, topics.deadLetter())) {
            // The forged guest's migration comes first, on the same partition as the genuine one's (one guest: two runs).
            for (SigningKey signer : new SigningKey[] {null, wh1}) {
                String run = signer == null ? "forged" : "genuine";
                send(producer, "sw1", run + "-1", 1L, new GuestStarted("wh1"), signer);
                send(producer, "sw1", run + "-2", 1L, new MigrationStarted("wh1", "wh2"), signer);
                send(producer, "sw1", run + "-3", 1L, new MigrationCompleted("wh1", "wh2"), signer);
            }

            ConsumerRecord<String, byte[]> record = await().atMost(WAIT).until(() -> commands.poll().stream()
                    .filter(r -> "sw1".equals(r.key())).findFirst().orElse(null), r -> r != null);
            assertThat(codec.decode(record.value()).data()).as("the genuine migration's, the first rebind")
                    .isEqualTo(new Rebind("wh2", 2, "genuine-3"));
            var read = codec.read(record.value());
            assertThat(new Provenance(TestKeys.ring(KEYS, TrustedWatcherResource.WATCHER)).check(read.json(), read.event()))
                    .isEqualTo(TrustedWatcherResource.WATCHER);

            List<String> reasons = await().atMost(WAIT).until(() -> deadLetters.poll().stream().filter(r -> "sw1".equals(r.key()))
                    .map(r -> new String(r.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8)).toList(),
                    r -> r.size() >= 3);
            assertThat(reasons).allSatisfy(reason -> assertThat(reason).startsWith("unsigned"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(scrape()).containsPattern(
                    "guestguard_trust_refusals_total\\{kind=\"unsigned\"} [1-9]"));
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, String guest, String id, Long epoch, Payload data, SigningKey signer)
            throws Exception {
        CloudEvent<Payload> event = new CloudEvent<>(id, "/host/wh1", Instant.now(), guest, null, "wh1", epoch, data);
        producer.send(new ProducerRecord<>(topics.guestLog(), guest, signer == null ? codec.encode(event) : codec.encode(event, signer)))
                .get();
    }

    private String scrape() throws Exception {
        return ServiceHttp.get(metrics).body();
    }
}
