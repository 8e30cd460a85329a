package io.guestguard.host;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.MetricsPage;
import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The packaged service as configured: beats with its inventory, and carries out this host's commands. */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@QuarkusTestResource(TempHostDirs.class)
class HostSupervisorTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final EventCodec codec = new EventCodec();
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();
    @TestHTTPResource("/q/health/ready")
    URI ready;

    @Test
    void startsAGuestItIsToldToAndBeatsWithItInItsInventoryUntilHalted() throws Exception {
        try (TopicReader heartbeats = new TopicReader(servers, Topics.DEFAULT.hostHeartbeats());
             TopicReader guestLog = new TopicReader(servers, Topics.DEFAULT.guestLog())) {
            List<CloudEvent<?>> beats = await().atMost(WAIT).until(() -> beatsOf(heartbeats), b -> b.size() >= 2);
            // Two beats, not one sent twice: their order on the topic is the producer's (a retried first
            // send may land after the second), and the detector judges by the broker's append times anyway.
            assertThat(beats.stream().map(CloudEvent::id).distinct()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(beats.stream().map(CloudEvent::time).distinct()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(beats).allSatisfy(beat -> assertThat(beat.hostId()).isEqualTo("test-host"));

            send(new StartGuest("g1", "test-host", 1, "d1"));
            await().atMost(WAIT).until(() -> factsOf(guestLog), f -> f.contains(new GuestStarted("test-host")));
            await().atMost(WAIT).until(() -> last(beatsOf(heartbeats)), b -> b.equals(new Heartbeat("host", "test-host", List.of("g1"))));

            send(new HaltGuest("g1", "test-host", 1, "d2"));
            await().atMost(WAIT).until(() -> factsOf(guestLog), f -> f.contains(new GuestHalted("test-host")));
            await().atMost(WAIT).until(() -> last(beatsOf(heartbeats)), b -> b.guests().isEmpty());
        }
        String metrics = ServiceHttp.get(ready.resolve("/q/metrics")).body();
        assertThat(metrics).contains("guestguard_supervisor_commands_total{kind=\"start-guest\",outcome=\"applied\"} 1.0")
                .contains("guestguard_supervisor_commands_total{kind=\"halt-guest\",outcome=\"applied\"} 1.0")
                .contains("guestguard_supervisor_commands_total{kind=\"start-guest\",outcome=\"refused\"} 0.0")
                .contains("guestguard_supervisor_fence_seconds_count 0.0");
    }

    @Test
    void isLiveWhileItBeatsAndReadsItsCommands() throws Exception {
        URI live = ready.resolve("/q/health/live");
        await().atMost(WAIT).until(() -> ServiceHttp.get(live).statusCode() == 200);
        assertThat(ServiceHttp.get(live).body()).contains("\"name\": \"host-supervisor\"").contains("\"status\": \"UP\"");
    }

    @Test
    void countsACommandItDeadLettersByTheKindOfItsReason() throws Exception {
        URI metrics = ready.resolve("/q/metrics");
        String series = "guestguard_dead_letters_total{reason=\"unreadable\",service=\"host-supervisor\"}";
        await().atMost(WAIT).until(() -> ServiceHttp.get(ready).statusCode() == 200); // its command reader is positioned
        double before = MetricsPage.scrape(metrics).value(series).orElseThrow(() -> new AssertionError("no " + series));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.DEFAULT.hostCommands(), "test-host", "{]".getBytes(StandardCharsets.UTF_8))).get();
        }
        await().atMost(WAIT).until(() -> MetricsPage.scrape(metrics).valueOrZero(series) == before + 1);
    }

    @Test
    void isReadyOnceItCarriesOutCommands() throws Exception {
        await().atMost(WAIT).until(() -> ServiceHttp.get(ready).statusCode() == 200);
        String body = ServiceHttp.get(ready).body();
        assertThat(body).contains("\"name\": \"host-supervisor\"").contains("\"status\": \"UP\"");
    }

    private void send(HostCommand command) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.DEFAULT.hostCommands(), command.host(), codec.encode(new CloudEvent<>(
                    "cmd-" + command.decisionId(), "/policy-engine", Instant.now(), "g1", null, command.host(), 1L, command)))).get();
        }
    }

    private List<CloudEvent<?>> beatsOf(TopicReader heartbeats) {
        return heartbeats.poll().stream().filter(r -> "test-host".equals(r.key()))
                .<CloudEvent<?>>map(r -> codec.decode(r.value())).filter(e -> e.data() instanceof Heartbeat).toList();
    }

    private List<Object> factsOf(TopicReader guestLog) {
        return guestLog.poll().stream().map(r -> (Object) codec.decode(r.value()).data()).toList();
    }

    private static Heartbeat last(List<CloudEvent<?>> beats) {
        return beats.isEmpty() ? new Heartbeat("host", "none", List.of("?")) : (Heartbeat) beats.get(beats.size() - 1).data();
    }
}
