package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Guests per host as placements arrive, and the choice of min_package_node made by it. */
class GuestsPerHostTest {

    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;

    @Test
    void eachGuestIsCountedOnceOnItsNewestHostWhileItMayRun() {
        GuestsPerHost counts = new GuestsPerHost();
        counts.placed("g1", placement("h1", PlacementPhase.RUNNING));
        counts.placed("g2", placement("h1", PlacementPhase.RUNNING));
        counts.placed("g2", placement("h1", PlacementPhase.RUNNING)); // the same placement again
        counts.placed("g3", placement("h2", PlacementPhase.RUNNING));
        assertThat(counts.of(List.of("h1", "h2", "h3")).guestsPerHost()).containsExactly(Map.entry("h1", 2), Map.entry("h2", 1));

        counts.placed("g1", placement("h2", PlacementPhase.RUNNING)); // moved
        counts.placed("g3", placement("h2", PlacementPhase.DOWN)); // may not run: counted nowhere
        counts.placed("g2", null); // unreadable
        assertThat(counts.of(List.of("h1", "h2")).guestsPerHost()).containsExactly(Map.entry("h2", 1));
        assertThat(counts.of(List.of("h1")).guestsPerHost()).as("only the hosts asked for").isEmpty();

        counts.clear();
        assertThat(counts.of(List.of("h2")).guestsPerHost()).isEmpty();
    }

    @Test
    void aMinPackageNodeGuestStartsOnItsLeastLoadedHostByThePlacementsView() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "guests-per-host-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/guests-per-host-test-state");
        try (TopologyTestDriver driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec), props)) {
            var placements = driver.createInputTopic(topics.placements(), new StringSerializer(), new ByteArraySerializer());
            var guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(), new ByteArraySerializer());
            var hostCommands = driver.createOutputTopic(topics.hostCommands(), new StringDeserializer(), new ByteArrayDeserializer());
            placements.pipeInput("a", published("a", "h1"));
            placements.pipeInput("b", published("b", "h1"));
            placements.pipeInput("c", published("c", "h2"));
            placements.pipeInput("b", published("b", "h3")); // b moved off h1: h1 and h2 run one each now
            placements.pipeInput("d", published("d", "h1"));

            PackageSpec spec = new PackageSpec("g", List.of("h1", "h2"), PackageSpec.FailoverPolicy.MIN_PACKAGE_NODE,
                    PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(new PackageSpec.AppPolicy("app1", 3, null, PackageSpec.Backoff.NONE)));
            guestLog.pipeInput("g", codec.encode(CloudEvent.ofGuest("p1", "/operator/test", T0, "g", new PackageApplied(spec))), T0);

            assertThat(hostCommands.readRecordsToList()).singleElement().satisfies(r -> {
                assertThat(r.key()).as("h1 runs a and d, h2 runs c").isEqualTo("h2");
                assertThat(codec.decode(r.value()).data()).isInstanceOf(StartGuest.class);
            });
        }
    }

    private static GuestPlacement placement(String host, PlacementPhase phase) {
        return new GuestPlacement(host, 1, phase, Map.of());
    }

    private byte[] published(String guest, String host) {
        return codec.encode(new CloudEvent<>("placement-" + guest + "-" + host, "/policy-engine", T0, guest, null, host, 1L,
                placement(host, PlacementPhase.RUNNING)));
    }
}
