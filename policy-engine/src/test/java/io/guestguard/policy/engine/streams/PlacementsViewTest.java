package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.PlacementPhase;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The global placements view takes whatever is on placements.v1 without dying of it, and keeps only what its gate accepts. */
class PlacementsViewTest {

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;

    @Test
    void aKeylessRecordOnThePlacementsTopicIsSkippedAndTheEngineGoesOn() {
        try (TopologyTestDriver driver = driver("placements-view-test")) {
            var placements = driver.createInputTopic(topics.placements(), new StringSerializer(), new ByteArraySerializer());
            var guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(), new ByteArraySerializer());
            var commands = driver.createOutputTopic(topics.guestCommands(), new StringDeserializer(), new ByteArrayDeserializer());

            placements.pipeInput(null, "garbage".getBytes(StandardCharsets.UTF_8));
            placements.pipeInput("g9", "garbage".getBytes(StandardCharsets.UTF_8));
            guestLog.pipeInput("g1", codec.encode(CloudEvent.ofGuest("f1", "/guest/g1/reporter", Instant.parse("2026-11-26T12:00:00Z"),
                    "g1", AppFailed.killed("app1", 7, "KILL"))));

            assertThat(commands.readValuesToList()).hasSize(1);
        }
    }

    @Test
    void neitherARefusedRecordNorATombstoneReplacesTheAcceptedPlacement() {
        try (TopologyTestDriver driver = driver("placements-view-keep-test")) {
            var placements = driver.createInputTopic(topics.placements(), new StringSerializer(), new ByteArraySerializer());
            placements.pipeInput("g1", placement("g1", "h1"));
            // What would hide g1 from a scan for h1's guests when h1 is lost.
            placements.pipeInput("g1", "garbage".getBytes(StandardCharsets.UTF_8));
            placements.pipeInput("g1", placement("g7", "h2")); // keyed by another guest than it names
            placements.pipeInput("g1", (byte[]) null);

            PlacementsView view = new PlacementsView(driver.getKeyValueStore(DecisionTopology.PLACEMENTS_VIEW), new RecordGate(codec));
            assertThat(view.get("g1")).extracting(GuestPlacement::host).isEqualTo("h1");
        }
    }

    @Test
    void aScanGivesEveryReadablePlacementAndSkipsTheRest() {
        try (TopologyTestDriver driver = driver("placements-view-scan-test")) {
            var placements = driver.createInputTopic(topics.placements(), new StringSerializer(), new ByteArraySerializer());
            placements.pipeInput("g1", placement("g1", "h1"));
            placements.pipeInput("g2", "garbage".getBytes(StandardCharsets.UTF_8));
            placements.pipeInput("g3", placement("g4", "h2")); // keyed by another guest than it names
            for (int i = 0; i < 1_000; i++) {
                placements.pipeInput("forged-" + i, "{\"specversion\":\"1.0\",\"time\":\"not-a-time\"}".getBytes(StandardCharsets.UTF_8));
            }
            placements.pipeInput("g5", placement("g5", "h2"));

            PlacementsView view = new PlacementsView(driver.getKeyValueStore(DecisionTopology.PLACEMENTS_VIEW), new RecordGate(codec));
            Map<String, String> seen = new TreeMap<>();
            view.forEach((guest, p) -> seen.put(guest, p.host()));

            assertThat(seen).containsExactly(Map.entry("g1", "h1"), Map.entry("g5", "h2"));
            assertThat(view.get("g1")).extracting(GuestPlacement::host).isEqualTo("h1");
            assertThat(view.get("g2")).as("unreadable").isNull();
            assertThat(view.get("g3")).as("keyed by another guest").isNull();
            assertThat(view.get("g6")).as("never placed").isNull();
        }
    }

    @Test
    void aPackageAppliedWithMinPackageNodeStartsOnTheHostWithFewestGuests() {
        try (TopologyTestDriver driver = driver("placements-view-load-test")) {
            var placements = driver.createInputTopic(topics.placements(), new StringSerializer(), new ByteArraySerializer());
            var guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(), new ByteArraySerializer());
            var hostCommands = driver.createOutputTopic(topics.hostCommands(), new StringDeserializer(), new ByteArrayDeserializer());
            placements.pipeInput("g1", placement("g1", "h1"));
            placements.pipeInput("g2", placement("g2", "h1"));
            placements.pipeInput("g3", placement("g3", "h2"));

            PackageSpec spec = new PackageSpec("g9", List.of("h1", "h2", "h3"), PackageSpec.FailoverPolicy.MIN_PACKAGE_NODE,
                    PackageSpec.FailbackPolicy.MANUAL, true, false, List.of(new PackageSpec.AppPolicy("app1", 3, null,
                    PackageSpec.Backoff.NONE)));
            guestLog.pipeInput("g9", codec.encode(CloudEvent.ofGuest("p9", "/operator/test", Instant.parse("2026-11-26T12:00:00Z"),
                    "g9", new PackageApplied(spec))));

            assertThat(hostCommands.readValuesToList()).singleElement()
                    .satisfies(command -> assertThat(((StartGuest) codec.decode(command).data()).host()).isEqualTo("h3"));
        }
    }

    private TopologyTestDriver driver(String applicationId) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/placements-view-test-state");
        return new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec), props);
    }

    private byte[] placement(String guest, String host) {
        return codec.encode(new CloudEvent<>("placement-" + guest, "/policy-engine", Instant.parse("2026-11-26T12:00:00Z"), guest,
                null, host, 1L, new GuestPlacement(host, 1, PlacementPhase.RUNNING, Map.of())));
    }
}
