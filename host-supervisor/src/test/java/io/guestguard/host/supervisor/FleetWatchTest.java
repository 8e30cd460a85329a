package io.guestguard.host.supervisor;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicCreator;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet watch on a real broker, flooded as an attacker with a plain Kafka client would: 100,000
 * forged guests' placements, 100,000 forged hosts' beats and unreadable records. It keeps reading,
 * stays within its bounds, and refuses to vouch for what it had to skip.
 */
class FleetWatchTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int FORGED = 100_000;
    private static EmbeddedKafka broker;
    private final EventCodec codec = new EventCodec();

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafka.startTemporary(Topics.DEFAULT, 1);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void a100000ForgedGuestsAndHostsLeaveItWithinItsBoundsAndItSaysWhatItCannotVouchFor() throws Exception {
        Topics topics = new Topics("flood.");
        TopicCreator.create(broker.bootstrapServers(), topics, 3, (short) 1);
        long before = usedHeap();
        try (FleetWatch watch = new FleetWatch(io.guestguard.protocol.kafka.KafkaClientSettings.plaintext(broker.bootstrapServers()), topics, "flood-test", codec, Clock.systemUTC(),
                1_000, 100, Duration.ofSeconds(1));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, "20"),
                     new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.placements(), "g1", placement("g1", "h1"))).get();
            watch.start();
            for (int i = 0; i < FORGED; i++) {
                producer.send(new ProducerRecord<>(topics.placements(), "forged-" + i, placement("forged-" + i, "h1")));
                producer.send(new ProducerRecord<>(topics.hostHeartbeats(), "forged-host-" + i, beat("forged-host-" + i)));
            }
            byte[] garbage = "{\"specversion\":\"1.0\",\"time\":\"not-a-time\"}".getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topics.placements(), "g2", garbage));
            producer.send(new ProducerRecord<>(topics.hostHeartbeats(), "h9", garbage)).get();

            await().atMost(WAIT).until(() -> watch.size().unreadable() == 2
                    && watch.size().placementsSkipped() == FORGED + 1 - 1_000);
            long after = usedHeap();

            FleetWatch.Size size = watch.size();
            assertThat(size.placements()).isEqualTo(1_000);
            assertThat(size.beats()).isLessThanOrEqualTo(100);
            assertThat(size.beatsSkipped()).isPositive();
            assertThat(watch.placement("g1")).as("kept: read before the flood").isPresent();
            assertThat(watch.cannotVouchFor("g1", Duration.ofSeconds(1))).as("its beats: skipped just now").isPresent();
            await().atMost(WAIT).until(() -> watch.cannotVouchFor("g1", Duration.ofSeconds(1)).isEmpty());
            assertThat(watch.cannotVouchFor("forged-99999", Duration.ofSeconds(1))).get().asString()
                    .contains("placement of forged-99999 is unknown").contains("max-guests (1000)");
            assertThat(watch.trouble()).get().asString().contains("skipped beyond guestguard.host.max-guests");
            assertThat(watch.awaitPlacementsUpTo(WAIT)).as("it still reads").isTrue();
            System.out.printf("FleetWatch: %d placements and %d hosts' beats kept after %,d forged guests and hosts; "
                    + "heap %+.1f MiB%n", size.placements(), size.beats(), FORGED, (after - before) / 1024.0 / 1024.0);
        }
    }

    private byte[] placement(String guest, String host) {
        return codec.encode(new CloudEvent<>("placement-" + guest, "/policy-engine", Instant.now(), guest, null, host, 1L,
                new GuestPlacement(host, 1, PlacementPhase.RUNNING, Map.of())));
    }

    private byte[] beat(String host) {
        return codec.encode(new CloudEvent<>("beat-" + host, "/host/" + host + "/supervisor", Instant.now(), null, null,
                host, null, new Heartbeat("host", host, List.of("g1"))));
    }

    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
