package io.guestguard.cli;

import io.guestguard.cli.CheckCommandTest.Run;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code guestguard host halt|detach|run} against a real broker: the request goes, as a signed
 * operator fact, to the guest log of every guest placed on the host (first) or listing it in its
 * package, as the engine's compacted topics say now, and to no other guest.
 */
class HostCommandTest {

    private static final Topics TOPICS = new Topics("host-command.");
    private static final EventCodec CODEC = new EventCodec();
    private static EmbeddedKafka kafka;
    private static Path operatorKey;

    @BeforeAll
    static void aFleetOfFourGuests(@TempDir Path keys) throws Exception {
        kafka = EmbeddedKafka.startTemporary(TOPICS, 2);
        operatorKey = keys.resolve("operator-ops.key");
        KeyFile.write(SigningKey.generate(new Principal(Role.OPERATOR, "ops")), operatorKey, keys.resolve("operator-ops.pub"));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            // g2 runs on h1 and lists it; g1 lists h1 but runs on h2; g3 neither; g4 ran on h1, but its placement is gone.
            packageOf(producer, "g1", "h2", "h1");
            packageOf(producer, "g2", "h1", "h2");
            packageOf(producer, "g3", "h2", "h3");
            placement(producer, "g1", new GuestPlacement("h2", 1, PlacementPhase.RUNNING, Map.of()));
            placement(producer, "g2", new GuestPlacement("h1", 3, PlacementPhase.RUNNING, Map.of()));
            placement(producer, "g3", new GuestPlacement("h1", 2, PlacementPhase.DOWN, Map.of()));
            placement(producer, "g4", new GuestPlacement("h1", 1, PlacementPhase.RUNNING, Map.of()));
            producer.send(new ProducerRecord<>(TOPICS.placements(), "g4", null)).get();
            producer.send(new ProducerRecord<>(TOPICS.placements(), "g5", "not an event".getBytes())).get();
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void haltTellsTheGuestsPlacedOnTheHostFirstThenThoseListingIt() {
        Run run = host("halt", "h1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("asked to halt host h1").contains("Told 2 guests: g2 (placed there), g1");
        List<CloudEvent<?>> requests = requestsFor("h1", 2);
        assertThat(requests).extracting(CloudEvent::key).containsExactlyInAnyOrder("g2", "g1");
        assertThat(requests).allSatisfy(event -> {
            OperatorRequest request = (OperatorRequest) event.data();
            assertThat(request.action()).isEqualTo(OperatorRequest.Action.HOST_HALT);
            assertThat(request.host()).isEqualTo("h1");
            assertThat(request.operator()).isEqualTo("ops");
            assertThat(event.source()).isEqualTo("/operator/ops");
        });
    }

    @Test
    void aHostNoGuestKnowsSendsNothingAndSaysSo() {
        Run run = host("detach", "h9");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.NO_GUEST);
        assertThat(run.err()).contains("no guest is placed on h9 or lists it in its package; nothing was sent");
        assertThat(requestsFor("h9", 0)).isEmpty();
    }

    @Test
    void anInvalidHostNameIsAUsageError() {
        assertThat(host("run", "../h1").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    private static Run host(String action, String host) {
        return Run.of("host", action, host, "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", TOPICS.prefix(),
                "--key", operatorKey.toString());
    }

    /** The operator requests about {@code host} on the guest log, once {@code expected} of them are there (none: after a poll). */
    private static List<CloudEvent<?>> requestsFor(String host, int expected) {
        List<CloudEvent<?>> found = new ArrayList<>();
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), TOPICS.guestLog())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : reader.pollNew(Duration.ofMillis(100))) {
                    CloudEvent<?> event = CODEC.decode(record.value());
                    if (event.data() instanceof OperatorRequest request && host.equals(request.host())) {
                        found.add(event);
                    }
                }
                return found.size() >= expected;
            });
        }
        return found;
    }

    private static void packageOf(KafkaProducer<String, byte[]> producer, String guest, String... hosts) throws Exception {
        PackageSpec spec = new PackageSpec(guest, List.of(hosts), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(new PackageSpec.AppPolicy("app1", 2, null, PackageSpec.Backoff.NONE)));
        producer.send(new ProducerRecord<>(TOPICS.packages(), guest, CODEC.encode(CloudEvent.ofGuest(guest + "-apply",
                "/operator/test", Instant.now(), guest, new PackageApplied(spec))))).get();
    }

    private static void placement(KafkaProducer<String, byte[]> producer, String guest, GuestPlacement placement) throws Exception {
        producer.send(new ProducerRecord<>(TOPICS.placements(), guest, CODEC.encode(new CloudEvent<>(guest + "-placed",
                "/policy-engine", Instant.now(), guest, null, null, placement.epoch(), placement)))).get();
    }
}
