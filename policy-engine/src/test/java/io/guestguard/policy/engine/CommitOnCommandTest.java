package io.guestguard.policy.engine;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.MetricsPage;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
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

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a reader waits for is committed as soon as it is written, not at the end of the commit interval:
 * with the interval set to ten minutes, a failure's restart command is still read within seconds, and
 * the host-loss detector still reads its own ticks back (a host's beat age grows on its clock). Only a
 * commit the engine asks for can make either visible to a read_committed reader that soon.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@TestProfile(CommitOnCommandTest.TenMinuteCommitInterval.class)
class CommitOnCommandTest {

    public static class TenMinuteCommitInterval implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String tenMinutes = String.valueOf(Duration.ofMinutes(10).toMillis());
            // Kafka Streams refuses a transaction timeout shorter than the commit interval.
            return Map.of("kafka-streams.commit.interval.ms", tenMinutes, "kafka-streams.producer.transaction.timeout.ms", tenMinutes);
        }
    }

    @TestHTTPResource("/q/metrics")
    URI metrics;

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();

    @Test
    void aRestartCommandIsReadableLongBeforeTheCommitInterval() throws Exception {
        String guest = "commit-on-command";
        try (KafkaProducer<String, byte[]> producer = producer();
             TopicReader commands = new TopicReader(servers, topics.guestCommands())) {
            producer.send(new ProducerRecord<>(topics.guestLog(), guest, codec.encode(CloudEvent.ofGuest(guest + "-f1",
                    "/guest/" + guest + "/reporter", Instant.now(), guest, AppFailed.killed("app1", 41L, "KILL"))))).get();
            // Minutes early, group join included.
            ConsumerRecord<String, byte[]> restart = await().atMost(Duration.ofSeconds(60)).until(() -> commands.poll().stream()
                    .filter(r -> guest.equals(r.key())).findFirst().orElse(null), r -> r != null);
            assertThat(codec.decode(restart.value()).data()).isInstanceOfSatisfying(RestartApp.class,
                    r -> assertThat(r.attempt()).isEqualTo(1));
        }
    }

    @Test
    void theDetectorReadsItsTicksBackLongBeforeTheCommitInterval() throws Exception {
        String host = "commit-on-tick-" + UUID.randomUUID().toString().substring(0, 8);
        String age = "guestguard_host_beat_age_seconds{host=\"" + host + "\"}";
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.hostHeartbeats(), host, codec.encode(new CloudEvent<>(
                    UUID.randomUUID().toString(), "/host/" + host + "/supervisor", Instant.now(), null, null, host, null,
                    new Heartbeat("host", host, List.of()))))).get();
            // The age grows only as the detector reads ticks written after the beat, each committed at once.
            await().atMost(Duration.ofSeconds(60)).until(() -> MetricsPage.scrape(metrics).valueOrZero(age) > 0);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer());
    }
}
