package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadlineReached;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostAvailable;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.ReporterStarted;
import io.guestguard.protocol.Topics;
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
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writes the engine's compatibility fixtures with the code of the release it is copied into (see the
 * README next to this file): the records the engine reads and writes on a short history of two
 * guests, their stored states at the end, a host's stored watch, and "probes": a next fact decided on
 * each stored state, with everything the engine wrote for it.
 */
class WriteEngineFixtures {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final List<String> records = new ArrayList<>();
    private final Map<String, TestOutputTopic<String, byte[]>> outputs = new LinkedHashMap<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> guestLog;
    private int n;

    @Test
    void write() throws Exception {
        Path out = Path.of(System.getProperty("compat.out"));
        java.util.Properties props = new java.util.Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "compat");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/compat-fixtures-state");
        driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec), props);
        guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(), new ByteArraySerializer());
        for (String topic : List.of(topics.decisions(), topics.guestCommands(), topics.hostCommands(), topics.placements(),
                topics.packages(), topics.deadLetter())) {
            outputs.put(topic, driver.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer()));
        }
        KeyValueStore<String, byte[]> states = driver.getKeyValueStore(DecisionTopology.STATE_STORE);

        // g1: four hosts; fails over from h1 (lost, fenced) to h2; h3 in maintenance; both applications fail on h2.
        PackageSpec g1 = new PackageSpec("g1", List.of("h1", "h2", "h3", "h4"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(
                new PackageSpec.AppPolicy("app1", 3, 600_000L, new PackageSpec.Backoff(1_000, 2.0, 30_000)),
                new PackageSpec.AppPolicy("app2", 1, null, PackageSpec.Backoff.NONE)));
        fact("g1", operator("g1", new PackageApplied(g1)));
        fact("g1", host("g1", "h1", 1L, new GuestStarted("h1")));
        fact("g1", reporter("g1", 1L, "h1", 1L, new ReporterStarted(0, 0)));
        fact("g1", reporter("g1", 2L, "h1", 1L, new AppStarted("app1", 101L)));
        fact("g1", reporter("g1", 3L, "h1", 1L, AppFailed.killed("app1", 101, "KILL")));
        fact("g1", engine("g1", new HostLost("h1")));
        fact("g1", host("g1", "h2", null, new HostFenced("h1")));
        fact("g1", host("g1", "h2", 2L, new GuestStarted("h2")));
        fact("g1", operator("g1", new OperatorRequest(OperatorRequest.Action.HOST_MAINTENANCE_ON, "h3", "alice")));
        fact("g1", reporter("g1", 4L, "h2", 2L, new ReporterStarted(0, 0)));
        fact("g1", reporter("g1", 5L, "h2", 2L, AppFailed.exited("app1", 201, 1)));
        fact("g1", reporter("g1", 6L, "h2", 2L, AppFailed.killed("app2", 202, "SEGV")));

        // g2: lost with its host h1 and waiting for the fence (FENCING, a fence watch, a deadline).
        PackageSpec g2 = new PackageSpec("g2", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.AUTOMATIC, true, true, List.of(new PackageSpec.AppPolicy("db", 2, null, PackageSpec.Backoff.NONE)));
        fact("g2", operator("g2", new PackageApplied(g2)));
        fact("g2", host("g2", "h1", 1L, new GuestStarted("h1")));
        fact("g2", engine("g2", new HostLost("h1")));

        // A host's stored watch: h5 beats, then its supervisor says it leaves (detached).
        TestInputTopic<String, byte[]> hostBeats = driver.createInputTopic(topics.hostHeartbeats(), new StringSerializer(), new ByteArraySerializer());
        byte[] beat = codec.encode(new CloudEvent<>("beat-h5-1", "/host/h5/supervisor", at(), null, null, "h5", null,
                new Heartbeat("host", "h5", List.of("g9"))));
        hostBeats.pipeInput("h5", beat, at());
        records.add(line(topics.hostHeartbeats(), "h5", at().toEpochMilli(), beat));
        byte[] guestBeat = codec.encode(new CloudEvent<>("beat-g1-1", "/guest/g1/reporter", at(), "g1", null, "h2", 2L,
                new Heartbeat("guest", "g1", List.of())));
        records.add(line(topics.heartbeats(), "g1", at().toEpochMilli(), guestBeat)); // the engine does not read guest beats
        Files.write(out.resolve("host-watch-h5.live.bin"), (byte[]) driver.getKeyValueStore(DecisionTopology.HOST_WATCH).get("h5"));
        n++;
        byte[] leaving = codec.encode(new CloudEvent<>("leaving-h5-1", "/host/h5/supervisor", at(), null, null, "h5", null, new HostLeaving("h5")));
        hostBeats.pipeInput("h5", leaving, at());
        records.add(line(topics.hostHeartbeats(), "h5", at().toEpochMilli(), leaving));
        Files.write(out.resolve("host-watch-h5.detached.bin"), (byte[]) driver.getKeyValueStore(DecisionTopology.HOST_WATCH).get("h5"));

        assertThat(outputs.get(topics.deadLetter()).isEmpty()).isTrue();
        byte[] g1State = states.get("g1");
        byte[] g2State = states.get("g2");
        Files.write(out.resolve("g1.state.json"), g1State);
        Files.write(out.resolve("g2.state.json"), g2State);
        Files.writeString(out.resolve("records.jsonl"), String.join("\n", records) + "\n");

        // Probes: each a next fact decided on the stored state as it is now.
        List<String> probes = new ArrayList<>();
        probe(probes, states, "g1", g1State, "app1 fails again on h2: its restart budget and backoff",
                reporter("g1", 7L, "h2", 2L, AppFailed.killed("app1", 203, "KILL")));
        probe(probes, states, "g1", g1State, "app2 fails again, past its limit: fail over, past lost h1 and h3 in maintenance",
                reporter("g1", 7L, "h2", 2L, AppFailed.exited("app2", 204, 3)));
        probe(probes, states, "g1", g1State, "a fact the reporter sent before, by its sequence number: dropped",
                reporter("g1", 5L, "h2", 2L, AppFailed.exited("app1", 201, 1)));
        probe(probes, states, "g1", g1State, "h1 available again",
                host("g1", "h1", null, new HostAvailable("h1")));
        probe(probes, states, "g1", g1State, "an operator moves the guest to h3, in maintenance",
                operator("g1", new OperatorRequest(OperatorRequest.Action.MOVE, "h3", "alice")));
        probe(probes, states, "g2", g2State, "the fence deadline passes: asked again",
                engine("g2", new DeadlineReached(T0.plusSeconds(n + 60), "a fence not confirmed yet")), 120_000);
        probe(probes, states, "g2", g2State, "h1 fenced: g2 starts on h2",
                host("g2", "h2", null, new HostFenced("h1")));
        Files.writeString(out.resolve("probes.jsonl"), String.join("\n", probes) + "\n");
        driver.close();
    }

    private void probe(List<String> probes, KeyValueStore<String, byte[]> states, String guest, byte[] state, String name,
                       CloudEvent<?> fact) {
        probe(probes, states, guest, state, name, fact, 0);
    }

    private void probe(List<String> probes, KeyValueStore<String, byte[]> states, String guest, byte[] state, String name,
                       CloudEvent<?> fact, long laterMs) {
        states.put(guest, state);
        outputs.values().forEach(TestOutputTopic::readRecordsToList);
        byte[] value = codec.encode(fact);
        Instant at = at().plusMillis(laterMs);
        guestLog.pipeInput(guest, value, at);
        List<String> written = new ArrayList<>();
        outputs.forEach((topic, output) -> output.readRecordsToList().forEach(r -> written.add(line(topic, r))));
        probes.add("{\"name\":\"" + name + "\",\"state\":\"" + guest + "\",\"fact\":" + line(topics.guestLog(), guest, at.toEpochMilli(), value)
                + ",\"written\":[" + String.join(",", written) + "]}");
        n++;
    }

    private void fact(String guest, CloudEvent<?> fact) {
        byte[] value = codec.encode(fact);
        Instant at = at();
        guestLog.pipeInput(guest, value, at);
        records.add(line(topics.guestLog(), guest, at.toEpochMilli(), value));
        outputs.forEach((topic, output) -> output.readRecordsToList().forEach(r -> records.add(line(topic, r))));
        n++;
    }

    private Instant at() {
        return T0.plusSeconds(n * 10L);
    }

    private CloudEvent<?> operator(String guest, io.guestguard.protocol.Fact data) {
        return new CloudEvent<>("op-" + guest + "-" + n, "/operator/alice", at(), guest, null, null, null, data);
    }

    private CloudEvent<?> host(String guest, String host, Long epoch, io.guestguard.protocol.Fact data) {
        return new CloudEvent<>("sup-" + guest + "-" + n, "/host/" + host + "/supervisor", at(), guest, null, host, epoch, data);
    }

    private CloudEvent<?> reporter(String guest, Long seq, String host, Long epoch, io.guestguard.protocol.Fact data) {
        return new CloudEvent<>("rep-" + guest + "-" + n, "/guest/" + guest + "/reporter", at(), guest, seq, host, epoch, data);
    }

    private CloudEvent<?> engine(String guest, Payload data) {
        return new CloudEvent<>("eng-" + guest + "-" + n, Decider.SOURCE, at(), guest, null, null, null, data);
    }

    private static String line(String topic, TestRecord<String, byte[]> record) {
        return line(topic, record.key(), record.timestamp(), record.value());
    }

    /** One record: its topic, key, timestamp and value (the value's JSON as the writer wrote it, byte for byte). */
    private static String line(String topic, String key, long timestamp, byte[] value) {
        return "{\"topic\":\"" + topic + "\",\"key\":\"" + key + "\",\"timestamp\":" + timestamp + ",\"value\":"
                + new String(value, StandardCharsets.UTF_8) + "}";
    }
}
