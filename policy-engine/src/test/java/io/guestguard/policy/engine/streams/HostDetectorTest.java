package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostAvailable;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host-loss detector without a broker, on the test driver's wall clock: silent hosts become
 * host.lost facts for the guests placed on them, once; a host that beats again, host.available.
 */
class HostDetectorTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private TopologyTestDriver driver;
    /** The driver's wall clock. */
    private Instant wall = T0;
    private TestInputTopic<String, byte[]> heartbeats;
    private TestInputTopic<String, byte[]> placements;
    private TestOutputTopic<String, byte[]> guestLog;
    private TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void start() {
        driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec,
                new DecisionTopology.HostDetection(Duration.ofSeconds(1), Duration.ofMillis(100))), props(), T0);
        heartbeats = driver.createInputTopic(topics.heartbeats(), new StringSerializer(), new ByteArraySerializer());
        placements = driver.createInputTopic(topics.placements(), new StringSerializer(), new ByteArraySerializer());
        guestLog = driver.createOutputTopic(topics.guestLog(), new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
        place("g1", "h1", "RUNNING");
        place("g2", "h2", "RUNNING");
        place("g3", "h1", "DOWN");
        place("g4", "h2", "WAITING");
        place("g5", "h1", "STARTING");
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aSilentHostIsLostOnceForEveryGuestThatOccupiesIt() {
        beat("h1");
        beat("h2");
        for (int i = 0; i < 8; i++) {
            advance(Duration.ofMillis(150));
            beat("h2"); // h2 keeps beating, h1 has stopped
        }

        List<CloudEvent<?>> facts = facts();
        assertThat(facts).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");
        assertThat(facts).allSatisfy(f -> {
            assertThat(f.data()).isEqualTo(new HostLost("h1"));
            assertThat(f.source()).isEqualTo(HostDetector.SOURCE);
            assertThat(f.time()).isBetween(T0.plusSeconds(1), T0.plusMillis(1_200));
        });

        for (int i = 0; i < 30; i++) {
            advance(Duration.ofMillis(150));
            beat("h2");
        }
        assertThat(facts()).as("a lost host is reported once; a beating one never").isEmpty();
    }

    @Test
    void aLostHostThatBeatsAgainIsAvailableToItsGuestsAndToWaitingOnes() {
        beat("h1");
        beat("h2");
        tick(11, null); // both fall silent: both are lost
        assertThat(facts()).extracting(f -> (Object) f.data()).contains(new HostLost("h1"), new HostLost("h2"));

        beat("h2");
        List<CloudEvent<?>> back = facts();
        assertThat(back).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g2", "g4");
        assertThat(back).extracting(f -> (Object) f.data()).containsOnly(new HostAvailable("h2"));
    }

    @Test
    void aHostThatBeatsAgainIsAlsoAvailableToTheGuestsThatLeftItMeanwhile() {
        beat("h1");
        beat("h2");
        for (int i = 0; i < 8; i++) {
            advance(Duration.ofMillis(150));
            beat("h2");
        }
        assertThat(facts()).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");
        place("g1", "h2", "RUNNING"); // failed over while h1 was away: it still counts h1 out
        place("g5", "h2", "RUNNING");

        beat("h1");

        List<CloudEvent<?>> back = facts();
        assertThat(back).extracting(CloudEvent::guestId).contains("g1", "g5");
        assertThat(back).extracting(f -> (Object) f.data()).containsOnly(new HostAvailable("h1"));
    }

    @Test
    void aRestartedDetectorGivesHostsAFullTimeoutInsteadOfJudgingThemByBeatsFromBeforeItsOutage() {
        // What a restart after a minute's outage restores: h1's last beat, a minute before this detector started.
        driver.<String, byte[]>getKeyValueStore(DecisionTopology.HOST_LIVENESS)
                .put("h1", HostDetector.encode(T0.minusSeconds(60).toEpochMilli(), false, java.util.Set.of()));
        beat("h2"); // the fleet's beats flow again

        tick(5, null);
        assertThat(facts()).as("a minute-old beat does not make a lost host right after the restart").isEmpty();
        tick(6, null);
        assertThat(facts()).extracting(f -> (Object) f.data()).contains(new HostLost("h1"));
    }

    @Test
    void aStalledDetectorDoesNotCountItsStallAsSilence() {
        beat("h1");
        beat("h2");
        tick(3, null);
        // The stream thread stalls for 1.5 s (a long commit, a starved machine): the first check after
        // it sees h2's beats, fetched first, and none of h1's yet. The stall counts as 200 ms.
        advance(Duration.ofMillis(1_500));
        beat("h2");
        assertThat(facts()).as("no host is lost by beats the detector could not read").isEmpty();
        tick(4, "h2");
        assertThat(facts()).as("900 ms of watching: not yet").isEmpty();

        tick(1, "h2"); // h1 really is silent: lost after 1 s of watching
        assertThat(facts()).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");
    }

    @Test
    void aDetectorThatReadsAHostsBeatsLateWaitsThatMuchLongerBeforeJudgingIt() {
        beat("h1");
        beat("h2");
        tick(3, "h2");
        // The detector fell behind its input: h1's last beat is read 800 ms after it was sent, so
        // its next ones, if any, are as late.
        beat("h1", wall.minusMillis(800));
        tick(10, "h2");
        assertThat(facts()).as("1 s of silence, but 800 ms of it may be beats not read yet").isEmpty();
        tick(7, "h2");
        assertThat(facts()).as("1.7 s").isEmpty();

        tick(1, "h2"); // 1.8 s: the timeout plus how late it read h1
        assertThat(facts()).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");
    }

    @Test
    void aGuestsBeatIsNotAHostsAndGarbageIsDeadLettered() {
        heartbeats.pipeInput("g9", codec.encode(new CloudEvent<>(UUID.randomUUID().toString(), "/guest/g9/reporter",
                T0, "g9", null, null, null, new Heartbeat("guest", "g9", List.of()))));
        heartbeats.pipeInput("h7", "{]".getBytes());
        advance(Duration.ofSeconds(3));

        assertThat(facts()).isEmpty();
        assertThat(deadLetters.readRecordsToList()).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("h7"));
    }

    private Properties props() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "host-detector-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/host-detector-test-state");
        return props;
    }

    /** {@code checks} wall-clock steps of 100 ms (the check interval), {@code beating} (if any) beating at each. */
    private void tick(int checks, String beating) {
        for (int i = 0; i < checks; i++) {
            advance(Duration.ofMillis(100));
            if (beating != null) {
                beat(beating);
            }
        }
    }

    /** Moves the driver's wall clock, which the beats' send times follow. */
    private void advance(Duration by) {
        wall = wall.plus(by);
        driver.advanceWallClockTime(by);
    }

    /** A beat of {@code host}, sent now. */
    private void beat(String host) {
        beat(host, wall);
    }

    /** A beat of {@code host}, sent at {@code sent} (earlier than now: it was read late). */
    private void beat(String host, Instant sent) {
        heartbeats.pipeInput(host, codec.encode(new CloudEvent<>(UUID.randomUUID().toString(), "/host/" + host + "/supervisor",
                sent, null, null, host, null, new Heartbeat("host", host, List.of()))), sent);
    }

    private void place(String guest, String host, String phase) {
        placements.pipeInput(guest, codec.encode(new CloudEvent<Payload>("p-" + guest, "/policy-engine", T0, guest, null, host, 1L,
                new GuestPlacement(host, 1, phase, Map.of()))));
    }

    /** The detector's facts on the guest log since the last call (the decider's own outputs go elsewhere). */
    private List<CloudEvent<?>> facts() {
        return guestLog.readValuesToList().stream().<CloudEvent<?>>map(codec::decode)
                .filter(e -> HostDetector.SOURCE.equals(e.source())).toList();
    }
}
