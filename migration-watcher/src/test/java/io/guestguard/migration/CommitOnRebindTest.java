package io.guestguard.migration;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rebind is committed as soon as it is written, not at the end of the commit interval
 * ({@code CommitPacing}): with the interval set to ten minutes, the rebind of a completed migration
 * is still read within seconds, which only a commit the watcher asks for can make visible to a
 * read_committed reader.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@TestProfile(CommitOnRebindTest.TenMinuteCommitInterval.class)
class CommitOnRebindTest {

    public static class TenMinuteCommitInterval implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String tenMinutes = String.valueOf(Duration.ofMinutes(10).toMillis());
            // Kafka Streams refuses a transaction timeout shorter than the commit interval.
            return Map.of("kafka-streams.commit.interval.ms", tenMinutes, "kafka-streams.producer.transaction.timeout.ms", tenMinutes);
        }
    }

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;

    @Test
    void aRebindIsReadableLongBeforeTheCommitInterval() throws Exception {
        String servers = EmbeddedKafkaResource.broker().bootstrapServers();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                servers), new StringSerializer(), new ByteArraySerializer());
             TopicReader commands = new TopicReader(servers, topics.guestCommands())) {
            send(producer, "cr1-1", new GuestStarted("h1"));
            send(producer, "cr1-2", new MigrationStarted("h1", "h2"));
            send(producer, "cr1-3", new MigrationCompleted("h1", "h2"));
            // Minutes early, group join included.
            ConsumerRecord<String, byte[]> record = await().atMost(Duration.ofSeconds(60)).until(() -> commands.poll().stream()
                    .filter(r -> "cr1".equals(r.key())).findFirst().orElse(null), r -> r != null);
            assertThat(codec.decode(record.value()).data()).isEqualTo(new Rebind("h2", 2, "cr1-3"));
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, String id, Payload data) throws Exception {
        producer.send(new ProducerRecord<>(topics.guestLog(), "cr1", codec.encode(new CloudEvent<>(id, "/test",
                Instant.now(), "cr1", null, null, 1L, data)))).get();
    }
}
