package io.guestguard.migration;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.migration.messaging.GuestLogWatcher;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
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
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class MigrationWatcherTest {

    @Inject
    GuestLogWatcher watcher;

    @Test
    void followsContactAndDeadLettersWhatItCannotReadWithoutStopping() throws Exception {
        String servers = EmbeddedKafkaResource.broker().bootstrapServers();
        EventCodec codec = new EventCodec();
        Instant time = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        byte[] unknown = """
                {"specversion":"1.0","id":"x1","source":"/x","type":"com.example.nope.v1","time":"2026-11-26T12:00:00Z","data":{}}"""
                .getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer());
             TopicReader deadLetters = new TopicReader(servers, Topics.DEFAULT.deadLetter())) {
            producer.send(new ProducerRecord<>(Topics.DEFAULT.guestLog(), "watched", unknown)).get();
            producer.send(new ProducerRecord<>(Topics.DEFAULT.guestLog(), "watched", codec.encode(
                    CloudEvent.ofGuest("s1", "/guest/watched/reporter", time, "watched", new AppStarted("app1", 42L))))).get();

            ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters.poll().stream()
                    .filter(r -> "watched".equals(r.key())).findFirst().orElse(null), r -> r != null);
            assertThat(dead.value()).isEqualTo(unknown);
            assertThat(new String(dead.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
                    .isEqualTo("unknown type 'com.example.nope.v1'");
            await().atMost(Duration.ofSeconds(60)).until(() -> watcher.lastContact("watched").isPresent());
            assertThat(watcher.lastContact("watched")).contains(time);
        }
    }
}
