package io.guestguard.policy.engine.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.PlacementRecord;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.Traceparent;
import io.guestguard.streams.StoredFormat;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the previous release (commit 2c204a2, {@code src/test/resources/compat/2c204a2}, written by that
 * release's own code: see the README there) stored and wrote is read by this one, and decided on as it
 * was: so an engine of this release can take over from one of the previous release during a rolling
 * upgrade, on its changelog and its topics. A state of a format newer than this release's is
 * quarantined, not misread: an engine rolled back mid-upgrade decides on nothing it half understands.
 */
class PreviousReleaseTest {

    private static final String RELEASE = "/compat/2c204a2/";
    private final EventCodec codec = new EventCodec();
    private final ObjectMapper mapper = codec.mapper();
    private final Topics topics = Topics.DEFAULT;
    private final StoredFormat<GuestState> format = new StoredFormat<>(mapper, GuestState.class, GuestState.FORMAT);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> guestLog;
    private final Map<String, TestOutputTopic<String, byte[]>> outputs = new LinkedHashMap<>();
    private KeyValueStore<String, byte[]> states;

    @BeforeEach
    void start() {
        java.util.Properties props = new java.util.Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "compat");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/previous-release-test-state");
        driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec), props);
        guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(), new ByteArraySerializer());
        for (String topic : List.of(topics.decisions(), topics.guestCommands(), topics.hostCommands(), topics.placements(),
                topics.packages(), topics.deadLetter())) {
            outputs.put(topic, driver.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer()));
        }
        states = driver.getKeyValueStore(DecisionTopology.STATE_STORE);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void everyRecordThePreviousReleaseWroteOrReadPassesTheGateAndIsWrittenBackTheSame() {
        RecordGate gate = new RecordGate(codec);
        List<Logged> records = lines("records.jsonl").stream().map(this::logged).toList();
        assertThat(records).extracting(Logged::topic).as("every family: facts, beats, commands, decisions, placements, packages")
                .contains(topics.guestLog(), topics.heartbeats(), topics.hostHeartbeats(), topics.guestCommands(),
                        topics.hostCommands(), topics.decisions(), topics.placements(), topics.packages());
        for (Logged record : records) {
            String topic = record.topic();
            CloudEvent<?> read = topic.equals(topics.guestLog()) || topic.equals(topics.packages()) ? gate.fact(record.key(), record.value())
                    : topic.equals(topics.heartbeats()) ? gate.heartbeat(record.key(), record.value())
                    : topic.equals(topics.hostHeartbeats()) ? gate.hostHeartbeat(record.key(), record.value())
                    : topic.equals(topics.guestCommands()) ? gate.guestCommand(record.key(), record.value())
                    : topic.equals(topics.hostCommands()) ? gate.hostCommand(record.key(), record.value())
                    : topic.equals(topics.placements()) ? gate.placement(record.key(), record.value())
                    : gate.decision(record.key(), record.value());
            assertThat(tree(codec.encode(read))).as("written back by this release as the previous one wrote it (it reads "
                    + "what this one writes, so a rollback reads it too): %s", record).isEqualTo(tree(record.value()));
        }
    }

    @Test
    void theStoredStatesOfThePreviousReleaseAreDecidedOnAsThatReleaseDid() {
        Map<String, byte[]> stored = Map.of("g1", resource("g1.state.json"), "g2", resource("g2.state.json"));
        assertThat(new String(stored.get("g1"), StandardCharsets.UTF_8)).as("written before formats").doesNotContain("\"format\"");

        for (Probe probe : probes()) {
            states.put(probe.guest(), stored.get(probe.guest()));
            assertThat(decideAsThePreviousReleaseSeesIt(probe.fact())).as(probe.name()).isEqualTo(probe.written());
            assertThat(tree(states.get(probe.guest())).get("format").intValue()).as("stored again in this release's format")
                    .isEqualTo(GuestState.FORMAT);
        }
        GuestState g1 = read(stored.get("g1"));
        assertThat(g1.placement().host()).isEqualTo("h2");
        assertThat(g1.hosts().lost()).containsExactly("h1");
        assertThat(g1.hosts().fenced()).containsExactly("h1");
        assertThat(g1.hosts().inMaintenance()).containsExactly("h3");
        assertThat(g1.apps()).containsOnlyKeys("app1", "app2");
        assertThat(read(stored.get("g2")).fence()).isNotNull();
    }

    @Test
    void theSameFactsBuildTheSameStatesAndDecisionsInThisRelease() {
        List<Logged> history = lines("records.jsonl").stream().map(this::logged).toList();
        List<Logged> expected = new ArrayList<>();
        List<Logged> written = new ArrayList<>();
        for (Logged record : history) {
            if (record.topic().equals(topics.guestLog())) {
                written.addAll(decideAsThePreviousReleaseSeesIt(record));
            } else if (outputs.containsKey(record.topic())) {
                expected.add(record);
            }
        }
        assertThat(written).as("what the previous release wrote for the same facts")
                .isEqualTo(expected);
        assertThat(withoutWhatIssue17Keeps(read(states.get("g1")))).isEqualTo(read(resource("g1.state.json")));
        assertThat(withoutWhatIssue17Keeps(read(states.get("g2")))).isEqualTo(read(resource("g2.state.json")));

        Map<String, byte[]> built = Map.of("g1", states.get("g1"), "g2", states.get("g2"));
        for (Probe probe : probes()) {
            states.put(probe.guest(), built.get(probe.guest()));
            assertThat(decideAsThePreviousReleaseSeesIt(probe.fact())).as(probe.name() + ", on the state this release built")
                    .isEqualTo(probe.written());
        }
    }

    @Test
    void aStateOfANewerFormatIsQuarantinedAndTheGuestRebuiltNotMisread() {
        lines("records.jsonl").stream().map(this::logged).filter(r -> r.topic().equals(topics.guestLog())).forEach(this::decide);
        ObjectNode newer = (ObjectNode) tree(states.get("g1"));
        ObjectNode later = mapper.createObjectNode().put("format", GuestState.FORMAT + 1);
        later.setAll(newer);
        later.put("format", GuestState.FORMAT + 1).putArray("hostsDetached").add("h2"); // what format 2 might know
        byte[] bytes = bytes(later);
        states.put("g1", bytes);
        Probe appFails = probes().get(0);

        List<Logged> written = decide(appFails.fact());

        Logged dead = written.stream().filter(r -> r.topic().equals(topics.deadLetter())).findFirst().orElseThrow();
        assertThat(dead.value()).isEqualTo(bytes);
        assertThat(dead.reason()).startsWith("the stored state of guest g1 was quarantined: it is in format 2, newer than format 1");
        List<Decision> decided = written.stream().filter(r -> r.topic().equals(topics.decisions()))
                .map(r -> (Decision) codec.decode(r.value()).data()).toList();
        assertThat(decided).extracting(Decision::action).containsExactly(Decision.Action.ALERT, Decision.Action.RESTART_APP);
        assertThat(decided.get(0).reason().code()).isEqualTo(DecideProcessor.QUARANTINED);
        assertThat(decided.get(0).reason().text()).contains("g1 is rebuilt from its package and its placement: RUNNING on h2 as epoch 2");
        assertThat(written.stream().filter(r -> r.topic().equals(topics.guestCommands())).map(r -> codec.decode(r.value()).data()))
                .as("app1's failure is decided on the state rebuilt from its package and placement: one failure kept")
                .singleElement().isInstanceOfSatisfying(RestartApp.class, r -> assertThat(r.attempt()).isEqualTo(2));
        assertThat(tree(states.get("g1")).get("format").intValue()).as("stored again in the format this engine knows")
                .isEqualTo(GuestState.FORMAT);
    }

    @Test
    void theHostWatchesThePreviousReleaseStoredReadTheSame() {
        HostWatch live = HostWatch.decode(resource("host-watch-h5.live.bin")).orElseThrow();
        assertThat(live.lost()).isFalse();
        assertThat(live.detached()).isEmpty();
        assertThat(live.encode()).isEqualTo(resource("host-watch-h5.live.bin"));
        HostWatch detached = HostWatch.decode(resource("host-watch-h5.detached.bin")).orElseThrow();
        long left = lines("records.jsonl").stream().filter(l -> l.at("/value/type").asText().equals("io.guestguard.host.leaving.v1"))
                .findFirst().orElseThrow().get("timestamp").asLong();
        assertThat(detached.detached()).as("away since its leaving was appended").hasValueSatisfying(d -> assertThat(d.leftAt()).isEqualTo(left));
        assertThat(detached.lost()).isFalse();
        assertThat(detached.encode()).isEqualTo(resource("host-watch-h5.detached.bin"));
    }

    /**
     * Pipes one fact into the engine; what it wrote, as a reader of the previous release reads it. A
     * placement has, since issue 17, optional fields for {@code guestguard status} (switching, the hosts
     * the guest knows, each application's failures...) which that reader ignores; so a placement written
     * because only those changed (h1 available again: no longer lost) is, to it, the one it has already,
     * and is left out here. Everything else must be what that release wrote, no placement more.
     */
    private List<Logged> decideAsThePreviousReleaseSeesIt(Logged fact) {
        byte[] stored = states.get(fact.key());
        GuestPlacement whole = stored == null ? null : PlacementRecord.of(read(stored));
        GuestPlacement before = whole == null ? null : previousReleaseFields(whole);
        List<Logged> seen = new ArrayList<>();
        for (Logged r : decide(fact)) {
            if (!r.topic().equals(topics.placements())) {
                seen.add(r);
                continue;
            }
            CloudEvent<?> e = (CloudEvent<?>) r.event();
            GuestPlacement read = previousReleaseFields((GuestPlacement) e.data());
            if (read.equals(before)) {
                assertThat(e.data()).as("a placement is written only when it changed").isNotEqualTo(whole);
                continue;
            }
            seen.add(new Logged(r.topic(), r.key(), r.timestamp(), r.value(), new CloudEvent<>(e.id(), e.source(), e.time(), e.guestId(),
                    e.guestSeq(), e.hostId(), e.epoch(), read), r.reason()));
        }
        return seen;
    }

    private static GuestPlacement previousReleaseFields(GuestPlacement p) {
        return new GuestPlacement(p.host(), p.epoch(), p.phase(), p.failures());
    }

    /** A state without what it keeps, since issue 17, only to be shown (each application's last failure, a migration under way). */
    private static GuestState withoutWhatIssue17Keeps(GuestState s) {
        Map<String, GuestState.AppBudget> apps = new java.util.TreeMap<>();
        s.apps().forEach((app, b) -> apps.put(app, new GuestState.AppBudget(b.failureTimesMs(), b.lastFailedPid())));
        return new GuestState(s.spec(), s.placement(), apps, s.lostHosts(), s.fencedHosts(), s.hostsInMaintenance(), s.detachedHosts(),
                s.failedTargets(), s.switchingEnabled(), s.maintenance(), s.clockMs(), s.recentFacts(), s.guestSeqs(), s.fence(), null);
    }

    /**
     * Pipes one fact into the engine; everything it wrote, in the order of {@link #outputs}, without
     * the traces the previous release did not write: each checked first to be the fact's.
     */
    private List<Logged> decide(Logged fact) {
        outputs.values().forEach(TestOutputTopic::readRecordsToList);
        guestLog.pipeInput(fact.key(), fact.value(), Instant.ofEpochMilli(fact.timestamp()));
        List<Logged> written = new ArrayList<>();
        outputs.forEach((topic, output) -> output.readRecordsToList().forEach(r -> written.add(withoutTrace(fact, logged(topic, r)))));
        return written;
    }

    private Logged withoutTrace(Logged fact, Logged written) {
        if (!(written.event() instanceof CloudEvent<?> event) || event.traceparent() == null) {
            return written;
        }
        assertThat(event.traceparent()).as("the trace of %s", written)
                .isEqualTo(Traceparent.causedBy((CloudEvent<?>) fact.event(), event.id()));
        return new Logged(written.topic(), written.key(), written.timestamp(), written.value(), event.withTraceparent(null), written.reason());
    }

    private GuestState read(byte[] bytes) {
        try {
            return format.read(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A record as logged: compared by its decoded event (the JSON's meaning, not its bytes). */
    private record Logged(String topic, String key, long timestamp, byte[] value, Object event, String reason) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Logged l && topic.equals(l.topic) && key.equals(l.key) && timestamp == l.timestamp
                    && event.equals(l.event);
        }

        @Override
        public int hashCode() {
            return key.hashCode();
        }

        @Override
        public String toString() {
            return topic + " " + key + "@" + timestamp + " " + new String(value, StandardCharsets.UTF_8);
        }
    }

    private record Probe(String name, String guest, Logged fact, List<Logged> written) {
    }

    private Logged logged(String topic, TestRecord<String, byte[]> record) {
        String reason = Optional.ofNullable(record.headers().lastHeader(DeadLetter.REASON))
                .map(h -> new String(h.value(), StandardCharsets.UTF_8)).orElse(null);
        return logged(topic, record.key(), record.timestamp(), record.value(), reason);
    }

    private Logged logged(JsonNode line) {
        return logged(line.get("topic").asText(), line.get("key").asText(), line.get("timestamp").asLong(), bytes(line.get("value")), null);
    }

    private Logged logged(String topic, String key, long timestamp, byte[] value, String reason) {
        Object event = topic.equals(topics.deadLetter()) ? tree(value) : codec.decode(value);
        return new Logged(topic, key, timestamp, value, event, reason);
    }

    private List<Probe> probes() {
        return lines("probes.jsonl").stream().map(p -> {
            List<Logged> written = new ArrayList<>();
            p.get("written").forEach(w -> written.add(logged(w)));
            return new Probe(p.get("name").asText(), p.get("state").asText(), logged(p.get("fact")), written);
        }).toList();
    }

    private List<JsonNode> lines(String name) {
        return new String(resource(name), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).map(l -> tree(l.getBytes(StandardCharsets.UTF_8))).toList();
    }

    private static byte[] resource(String name) {
        try (InputStream in = PreviousReleaseTest.class.getResourceAsStream(RELEASE + name)) {
            assertThat(in).as(RELEASE + name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode tree(byte[] bytes) {
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] bytes(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
