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
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.Topics;
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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The watcher service on a real broker: a completed migration makes it send {@code rebind}, the
 * answer is timed on the Prometheus endpoint, and an unreadable record is dead-lettered while the
 * service goes on.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class MigrationWatcherServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/q/metrics")
    URI metrics;

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;

    @Test
    void rebindsAMigratedGuestAndShowsItOnTheMetricsEndpoint() throws Exception {
        String servers = EmbeddedKafkaResource.broker().bootstrapServers();
        byte[] unreadable = "{\"specversion\":\"1.0\"".getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                servers), new StringSerializer(), new ByteArraySerializer());
             TopicReader commands = new TopicReader(servers, topics.guestCommands());
             TopicReader deadLetters = new TopicReader(servers, topics.deadLetter())) {
            producer.send(new ProducerRecord<>(topics.guestLog(), "mw1", unreadable)).get();
            send(producer, "mw1-1", 1L, null, new GuestStarted("h1"));
            send(producer, "mw1-2", 1L, null, new MigrationStarted("h1", "h2"));
            send(producer, "mw1-3", 1L, null, new MigrationCompleted("h1", "h2"));

            ConsumerRecord<String, byte[]> record = await().atMost(WAIT).until(() -> commands.poll().stream()
                    .filter(r -> "mw1".equals(r.key())).findFirst().orElse(null), r -> r != null);
            CloudEvent<?> rebind = codec.decode(record.value());
            assertThat(rebind.data()).isEqualTo(new Rebind("h2", 2, "mw1-3"));
            send(producer, "mw1-4", null, 7L, new Rebound(rebind.id(), "h2", 2, 8, 0, false));

            await().atMost(WAIT).untilAsserted(() -> assertThat(scrape())
                    .contains("guestguard_watcher_migrations_total{outcome=\"completed\"} 1.0")
                    .contains("guestguard_watcher_rebind_latency_seconds_count{trigger=\"migration-completed\"} 1")
                    .contains("guestguard_watcher_rebind_latency_seconds_bucket{trigger=\"migration-completed\",le=")
                    .contains("guestguard_watcher_gaps_healed_total 0.0")
                    .contains("guestguard_watcher_rebinds_sent_total 1.0")
                    .contains("guestguard_streams_threads_total{outcome=\"replaced\"} 0.0")
                    .contains("guestguard_watcher_states_quarantined_total 0.0")
                    // the unreadable record above; counted per process, whichever test ran before
                    .containsPattern("guestguard_dead_letters_total\\{reason=\"unreadable\",service=\"migration-watcher\"} [1-9]")
                    .contains("guestguard_dead_letters_total{reason=\"other\",service=\"migration-watcher\"} 0.0"));
            ConsumerRecord<String, byte[]> dead = await().atMost(WAIT).until(() -> deadLetters.poll().stream()
                    .filter(r -> "mw1".equals(r.key())).findFirst().orElse(null), r -> r != null);
            assertThat(dead.value()).isEqualTo(unreadable);
            assertThat(new String(dead.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
                    .startsWith("malformed JSON");
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, String id, Long epoch, Long seq, Payload data) throws Exception {
        producer.send(new ProducerRecord<>(topics.guestLog(), "mw1", codec.encode(new CloudEvent<>(id, "/test",
                Instant.now(), "mw1", seq, null, epoch, data)))).get();
    }

    private String scrape() throws Exception {
        return ServiceHttp.get(metrics).body();
    }
}
