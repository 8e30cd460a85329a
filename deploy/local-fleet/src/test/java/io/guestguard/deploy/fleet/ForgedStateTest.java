package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.RestartApp;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Anyone who can write to the cluster can write to the engine's state changelog. A forged record for
 * a guest there, read back when the packaged engine restarts, does not stop it: the state is
 * quarantined (dead letter, alert), the guest rebuilt with its host, epoch and restart budget, and the
 * engine keeps deciding for it and for the others.
 */
class ForgedStateTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../.."));
    private static final String CHANGELOG = LocalFleet.ENGINE_APPLICATION_ID + "-guest-state-changelog";
    private final EventCodec codec = new EventCodec();

    @Test
    void aForgedStateRecordOnTheChangelogIsQuarantinedAndTheEngineKeepsDeciding(@TempDir Path dir) throws Exception {
        try (LocalFleet fleet = LocalFleet.startEngines(HOME.toAbsolutePath().normalize(), dir, 1, "3", Map.of());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     fleet.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
             TopicReader decisions = new TopicReader(fleet.bootstrapServers(), fleet.topics().decisions());
             TopicReader commands = new TopicReader(fleet.bootstrapServers(), fleet.topics().guestCommands());
             TopicReader deadLetters = new TopicReader(fleet.bootstrapServers(), fleet.topics().deadLetter())) {
            fleet.awaitEngineReady(Duration.ofSeconds(120));
            PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                    PackageSpec.FailbackPolicy.MANUAL, true, true,
                    List.of(new PackageSpec.AppPolicy("app1", 3, null, PackageSpec.Backoff.NONE)));
            send(producer, fleet, "g1", "f1", null, null, new PackageApplied(spec));
            send(producer, fleet, "g1", "f2", "h1", 1L, new GuestStarted("h1"));
            send(producer, fleet, "g1", "f3", null, null, AppFailed.killed("app1", 101, "KILL"));
            await().atMost(Duration.ofSeconds(60)).until(() -> restarts(commands, "g1").size() == 1);

            fleet.engines().get(1).terminate();
            byte[] forged = "{\"spec\":{\"guest\":\"g1\",\"hosts\":[[[[".getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(CHANGELOG, "g1", forged)).get();
            fleet.startEngine(1);
            fleet.awaitEngineReady(Duration.ofSeconds(120));
            send(producer, fleet, "g1", "f4", null, null, AppFailed.killed("app1", 102, "KILL"));
            send(producer, fleet, "g2", "f5", null, null, AppFailed.killed("app1", 201, "KILL"));

            await().atMost(Duration.ofSeconds(60)).until(() -> restarts(commands, "g1").size() == 2 && restarts(commands, "g2").size() == 1);
            assertThat(restarts(commands, "g1")).extracting(RestartApp::attempt).as("the budget is kept").containsExactly(1, 2);
            ConsumerRecord<String, byte[]> dead = deadLetters.poll().stream().filter(r -> "g1".equals(r.key())).findFirst().orElseThrow();
            assertThat(dead.value()).isEqualTo(forged);
            assertThat(new String(dead.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
                    .startsWith("the stored state of guest g1 was quarantined: it cannot be read");
            assertThat(new String(dead.headers().lastHeader(DeadLetter.TOPIC).value(), StandardCharsets.UTF_8)).isEqualTo(CHANGELOG);
            assertThat(decisions.poll().stream().map(r -> codec.decode(r.value())).filter(e -> "g1".equals(e.guestId()))
                    .map(e -> (Decision) e.data()).filter(d -> d.action() == Decision.Action.ALERT))
                    .singleElement().satisfies(alert -> {
                        assertThat(alert.reason().code()).isEqualTo("STATE_QUARANTINED");
                        assertThat(alert.fromHost()).isEqualTo("h1");
                        assertThat(alert.causeIds()).containsExactly("f4");
                    });
        }
    }

    private List<RestartApp> restarts(TopicReader commands, String guest) {
        return commands.poll().stream().filter(r -> guest.equals(r.key())).map(r -> codec.decode(r.value()).data())
                .filter(RestartApp.class::isInstance).map(RestartApp.class::cast).toList();
    }

    private void send(KafkaProducer<String, byte[]> producer, LocalFleet fleet, String guest, String id, String host, Long epoch,
                      Fact fact) throws Exception {
        producer.send(new ProducerRecord<>(fleet.topics().guestLog(), guest, fleet.keys().encodeAsWriter(new CloudEvent<>(id, "/test/forged-state",
                Instant.now(), guest, null, host, epoch, fact)))).get();
    }
}
