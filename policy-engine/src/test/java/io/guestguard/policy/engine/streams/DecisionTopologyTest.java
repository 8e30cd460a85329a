package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.StopApp;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.testing.BinaryMode;
import io.guestguard.protocol.PlacementPhase;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The topology without a broker: decisions, commands and dead letters for a stream of facts. */
class DecisionTopologyTest {

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> guestLog;
    private TestOutputTopic<String, byte[]> commands;
    private TestOutputTopic<String, byte[]> decisions;
    private TestOutputTopic<String, byte[]> deadLetters;
    private TestOutputTopic<String, byte[]> hostCommands;
    private TestOutputTopic<String, byte[]> placements;
    private TestOutputTopic<String, byte[]> packages;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/topology-test-state");
        driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(1)), codec,
                DecisionTopology.HostDetection.DEFAULT, EngineTrust.off(codec), new EngineMetrics(meters)), props);
        guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(), new ByteArraySerializer());
        commands = driver.createOutputTopic(topics.guestCommands(), new StringDeserializer(), new ByteArrayDeserializer());
        decisions = driver.createOutputTopic(topics.decisions(), new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
        hostCommands = driver.createOutputTopic(topics.hostCommands(), new StringDeserializer(), new ByteArrayDeserializer());
        placements = driver.createOutputTopic(topics.placements(), new StringDeserializer(), new ByteArrayDeserializer());
        packages = driver.createOutputTopic(topics.packages(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aFailureWithinTheLimitIsRestartedAndTheNextIsNot() {
        guestLog.pipeInput("g1", codec.encode(failure("f1", 10)));
        guestLog.pipeInput("g1", codec.encode(failure("f2", 11)));

        List<TestRecord<String, byte[]>> sent = commands.readRecordsToList();
        assertThat(sent).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("g1");
            assertThat(codec.decode(r.value()).data()).isEqualTo(new RestartApp("app1", 1, 1, 0L, "decision-f1"));
        });
        assertThat(decisions.readValuesToList()).extracting(v -> ((Decision) codec.decode(v).data()).action())
                .containsExactly(Decision.Action.RESTART_APP, Decision.Action.NONE);
    }

    @Test
    void everyDecisionIsCountedByActionAndReasonAndTimedFromItsFact() {
        guestLog.pipeInput("g1", codec.encode(failure("f1", 10)));
        guestLog.pipeInput("g1", codec.encode(failure("f2", 11)));
        guestLog.pipeInput("g1", "not a fact".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(meters.get("guestguard.decisions").tags("action", "RESTART_APP", "reason", "APP_FAILED_WITHIN_LIMIT")
                .counter().count()).isEqualTo(1.0);
        assertThat(meters.get("guestguard.decisions").tags("action", "NONE").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("guestguard.decision.latency").timer().count()).as("one per decision, none for a dead letter")
                .isEqualTo(2);
    }

    @Test
    void aCountedFailureIsShownOnThePlacementAndAFactThatChangesNoPlacementWritesNone() {
        guestLog.pipeInput("g1", codec.encode(failure("f1", 10)));
        guestLog.pipeInput("g1", codec.encode(CloudEvent.ofGuest("s1", "/guest/g1/reporter", Instant.now(), "g1",
                new io.guestguard.protocol.AppStarted("app1", 11L))));

        List<TestRecord<String, byte[]>> written = placements.readRecordsToList();
        assertThat(written).as("the start changed nothing the placement shows").singleElement().satisfies(r -> {
            GuestPlacement placed = (GuestPlacement) codec.decode(r.value()).data();
            assertThat(placed.failures()).containsEntry("app1", 1);
            assertThat(placed.app("app1").lastFailure().cause()).isEqualTo("exit 3");
            assertThat(placed.app("app1").lastFailure().noticedBy()).isEqualTo("exit");
            assertThat(placed.app("app1").lastFailure().pid()).isEqualTo(10L);
            assertThat(placed.app("app1").failureTimesMs()).containsExactly(placed.app("app1").lastFailure().atMs());
        });
    }

    @Test
    void stateSurvivesInTheStore() {
        guestLog.pipeInput("g1", codec.encode(failure("f1", 10)));

        byte[] stored = driver.<String, byte[]>getKeyValueStore(DecisionTopology.STATE_STORE).get("g1");
        assertThat(new String(stored, StandardCharsets.UTF_8)).contains("\"failureTimesMs\":[");
    }

    @Test
    void unprocessableRecordsGoToTheDeadLetterTopicWithTheirReasonAndProcessingGoesOn() {
        byte[] garbage = "not json".getBytes(StandardCharsets.UTF_8);
        guestLog.pipeInput("g1", garbage);
        guestLog.pipeInput("g2", codec.encode(failure("f1", 10)));
        guestLog.pipeInput("g1", codec.encode(CloudEvent.ofGuest("d1", "/x", Instant.EPOCH, "g1",
                new Decision(Decision.Action.NONE, "app1", 1, 1, null, null, null, null, new Decision.Reason("X", "x"), List.of("f"), List.of(), null))));
        guestLog.pipeInput("g1", codec.encode(failure("f3", 12)));

        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).hasSize(3);
        assertThat(dead.get(0).value()).isEqualTo(garbage);
        assertThat(reason(dead.get(0))).startsWith("malformed JSON");
        assertThat(reason(dead.get(1))).isEqualTo("record key 'g2' does not match guestid 'g1'");
        assertThat(reason(dead.get(2))).contains("is not a fact");
        assertThat(new String(dead.get(0).headers().lastHeader(DeadLetter.TOPIC).value(), StandardCharsets.UTF_8))
                .isEqualTo(topics.guestLog());
        assertThat(commands.readRecordsToList()).as("the good record after the bad ones is decided")
                .singleElement().satisfies(r -> assertThat(codec.decode(r.value()).id()).isEqualTo("restart-f3"));
    }

    @Test
    void binaryModeFactsAreDecidedAndEverythingWrittenIsStructuredMode() {
        PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", 1, null, PackageSpec.Backoff.NONE)));
        BinaryMode applied = BinaryMode.of(codec, codec.encode(CloudEvent.ofGuest("p1", "/operator/test", Instant.now(), "g1",
                new PackageApplied(spec))));
        BinaryMode failed = BinaryMode.of(codec, codec.encode(failure("f1", 10)));
        BinaryMode withoutId = BinaryMode.of(codec, codec.encode(failure("f2", 11))).with("ce_id", null);

        guestLog.pipeInput(new TestRecord<>("g1", applied.value(), applied.headers()));
        guestLog.pipeInput(new TestRecord<>("g1", failed.value(), failed.headers()));
        guestLog.pipeInput(new TestRecord<>("g1", withoutId.value(), withoutId.headers()));

        assertThat(commands.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(codec.decode(r.value()).data()).isEqualTo(new RestartApp("app1", 1, 1, 0L, "decision-f1"));
            assertThat(contentType(r)).isEqualTo("application/cloudevents+json");
        });
        assertThat(decisions.readRecordsToList()).isNotEmpty().allSatisfy(r -> assertThat(contentType(r)).isEqualTo("application/cloudevents+json"));
        assertThat(placements.readRecordsToList()).isNotEmpty().allSatisfy(r -> assertThat(contentType(r)).isEqualTo("application/cloudevents+json"));
        assertThat(packages.readRecordsToList()).as("the package, copied as structured mode").singleElement().satisfies(r -> {
            assertThat(contentType(r)).isEqualTo("application/cloudevents+json");
            assertThat(codec.decode(r.value()).data()).isEqualTo(new PackageApplied(spec));
        });
        assertThat(deadLetters.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(reason(r)).isEqualTo("binary mode: required header ce_id is missing");
            assertThat(r.value()).isEqualTo(withoutId.value());
            assertThat(contentType(r)).as("the original's CloudEvents headers, kept").isEqualTo("application/json");
            assertThat(r.headers().lastHeader("ce_type")).isNotNull();
        });
    }

    private static String contentType(TestRecord<String, byte[]> record) {
        return new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8);
    }

    @Test
    void anOperatorsApplicationStopIsDecidedAndItsCommandKeyedByTheGuest() {
        PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", 1, null, PackageSpec.Backoff.NONE)));
        Instant t0 = Instant.parse("2026-11-26T12:00:00Z");
        guestLog.pipeInput("g1", codec.encode(CloudEvent.ofGuest("p1", "/operator/test", t0, "g1", new PackageApplied(spec))));
        guestLog.pipeInput("g1", codec.encode(new CloudEvent<>("s1", "/host/h1", t0.plusSeconds(1), "g1", null, "h1", 1L,
                new GuestStarted("h1"))));
        decisions.readRecordsToList();

        guestLog.pipeInput("g1", codec.encode(CloudEvent.ofGuest("o1", "/operator/alice", t0.plusSeconds(2), "g1",
                OperatorRequest.ofApp(OperatorRequest.Action.STOP_APP, "app1", "alice"))));

        assertThat(commands.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("g1");
            CloudEvent<?> command = codec.decode(r.value());
            assertThat(command.data()).isEqualTo(new StopApp("app1", "decision-o1"));
            assertThat(command.id()).isEqualTo("stop-app-o1");
            assertThat(command.epoch()).isEqualTo(1L);
        });
        assertThat(decisions.readValuesToList()).singleElement().satisfies(v -> {
            Decision decision = (Decision) codec.decode(v).data();
            assertThat(decision.action()).isEqualTo(Decision.Action.STOP_APP);
            assertThat(decision.app()).isEqualTo("app1");
            assertThat(decision.commandIds()).containsExactly("stop-app-o1");
            assertThat(decision.reason().text()).isEqualTo("operator alice stops app1 in g1 on h1; it is reported "
                    + "stopped, not failed, and nothing restarts it until an operator starts it");
        });
        assertThat(hostCommands.readRecordsToList()).as("only the package's start went to a host").hasSize(1);
    }

    @Test
    void hostCommandsAreKeyedByTheirHostAndPackagesAndPlacementsAreKept() {
        PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", 1, null, PackageSpec.Backoff.NONE)));
        guestLog.pipeInput("g1", codec.encode(CloudEvent.ofGuest("p1", "/operator/test", Instant.parse("2026-11-26T12:00:00Z"),
                "g1", new PackageApplied(spec))));

        List<TestRecord<String, byte[]>> started = hostCommands.readRecordsToList();
        assertThat(started).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("h1");
            assertThat(codec.decode(r.value()).data()).isEqualTo(new StartGuest("g1", "h1", 1, "decision-p1"));
        });
        assertThat(commands.readRecordsToList()).isEmpty();
        assertThat(packages.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("g1");
            assertThat(codec.decode(r.value()).data()).isEqualTo(new PackageApplied(spec));
        });
        assertThat(placements.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("g1");
            // Starting on auto_run: the motive is the one field beyond the previous release's that it has to say.
            assertThat(codec.decode(r.value()).data()).isEqualTo(new GuestPlacement("h1", 1, PlacementPhase.STARTING, java.util.Map.of(),
                    "AUTO_RUN", false, false, null, null, null, null, null, null));
        });
    }

    private static String reason(TestRecord<String, byte[]> record) {
        return new String(record.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8);
    }

    private static CloudEvent<AppFailed> failure(String id, long pid) {
        return CloudEvent.ofGuest(id, "/guest/g1/reporter", Instant.parse("2026-11-26T12:00:00Z"), "g1",
                AppFailed.exited("app1", pid, 3));
    }
}
