package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.DeadLetterCounts;
import io.guestguard.protocol.DeadLetterKind;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.RestartApp;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A guest's stored state that cannot be read, or on which deciding throws, is quarantined: its bytes to
 * the dead-letter topic, an alert naming the guest, the guest rebuilt from its package and placement,
 * and the fact decided on that; the stream thread never stops.
 */
class StateQuarantineTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> guestLog;
    private TestOutputTopic<String, byte[]> decisions;
    private TestOutputTopic<String, byte[]> commands;
    private TestOutputTopic<String, byte[]> deadLetters;
    private KeyValueStore<String, byte[]> states;
    private int facts;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "quarantine-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/quarantine-test-state");
        driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec), props);
        guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(), new ByteArraySerializer());
        decisions = driver.createOutputTopic(topics.decisions(), new StringDeserializer(), new ByteArrayDeserializer());
        commands = driver.createOutputTopic(topics.guestCommands(), new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
        states = driver.getKeyValueStore(DecisionTopology.STATE_STORE);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void anUnreadableStateIsQuarantinedAndTheGuestRebuiltWithItsHostEpochAndBudgets() {
        runningOnH1WithOneRestartUsed();
        byte[] forged = "{\"spec\":{\"guest\":".getBytes(StandardCharsets.UTF_8);
        states.put("g1", forged);
        long quarantined = DeadLetterCounts.of("policy-engine").count(DeadLetterKind.QUARANTINED);

        fact(AppFailed.killed("app1", 102, "KILL"));

        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertThat(DeadLetterCounts.of("policy-engine").count(DeadLetterKind.QUARANTINED))
                .as("counted for guestguard_dead_letters_total{reason=\"quarantined\"}").isEqualTo(quarantined + 1);
        assertThat(dead.key()).isEqualTo("g1");
        assertThat(dead.value()).isEqualTo(forged);
        assertThat(header(dead, DeadLetter.REASON)).startsWith("the stored state of guest g1 was quarantined: it cannot be read");
        assertThat(header(dead, DeadLetter.TOPIC)).isEqualTo("quarantine-test-guest-state-changelog");
        List<Decision> decided = decisions.readValuesToList().stream().map(v -> (Decision) codec.decode(v).data()).toList();
        assertThat(decided).hasSize(2);
        assertThat(decided.get(0).action()).isEqualTo(Decision.Action.ALERT);
        assertThat(decided.get(0).reason().code()).isEqualTo(DecideProcessor.QUARANTINED);
        assertThat(decided.get(0).reason().text()).contains("g1 is rebuilt from its package and its placement: RUNNING on h1 as epoch 1");
        assertThat(decided.get(0).fromHost()).isEqualTo("h1");
        assertThat(decided.get(0).epoch()).isEqualTo(1L);
        assertThat(decided.get(1).action()).as("the fact is decided on the rebuilt state").isEqualTo(Decision.Action.RESTART_APP);
        assertThat(commands.readValuesToList()).extracting(v -> (Object) codec.decode(v).data())
                .as("the restart budget is kept: the second restart, on the placement's epoch")
                .containsExactly((Object) new RestartApp("app1", 2, 3, 0L, "decision-f" + facts));
        assertThat(deadLetters.isEmpty()).isTrue();

        fact(AppFailed.killed("app1", 103, "KILL"));
        assertThat(commands.readValuesToList()).extracting(v -> ((RestartApp) codec.decode(v).data()).attempt())
                .as("the rebuilt state is stored and used from then on").containsExactly(3);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aStateOnWhichDecidingThrowsIsQuarantinedToo() {
        runningOnH1WithOneRestartUsed();
        String stored = new String(states.get("g1"), StandardCharsets.UTF_8);
        // Well-formed, but an application without a name: the decider cannot find app1's policy.
        String forged = stored.replace("\"name\":\"app1\"", "\"name\":null");
        assertThat(forged).isNotEqualTo(stored);
        states.put("g1", forged.getBytes(StandardCharsets.UTF_8));

        fact(AppFailed.killed("app1", 102, "KILL"));

        assertThat(header(deadLetters.readRecord(), DeadLetter.REASON))
                .startsWith("the stored state of guest g1 was quarantined: deciding on it failed: java.lang.NullPointerException");
        assertThat(decisions.readValuesToList()).extracting(v -> ((Decision) codec.decode(v).data()).action())
                .containsExactly(Decision.Action.ALERT, Decision.Action.RESTART_APP);
        assertThat(commands.readValuesToList()).extracting(v -> ((RestartApp) codec.decode(v).data()).attempt()).containsExactly(2);
    }

    @Test
    void aGuestWithNeitherPackageNorPlacementKnownStartsAfresh() {
        states.put("g2", new byte[] {(byte) 0xff, 0x00, 0x7b});

        guestLog.pipeInput("g2", codec.encode(CloudEvent.ofGuest("x1", "/guest/g2/reporter", T0, "g2", AppFailed.killed("app1", 7, "KILL"))));

        assertThat(deadLetters.readRecord().value()).containsExactly(0xff, 0x00, 0x7b);
        Decision alert = (Decision) codec.decode(decisions.readValuesToList().get(0)).data();
        assertThat(alert.reason().text()).contains("g2 is rebuilt from no package (none is known) and no placement (none is known)");
        assertThat(commands.readValuesToList()).extracting(v -> ((RestartApp) codec.decode(v).data()).attempt()).containsExactly(1);
    }

    /** g1's package applied (h1, h2; app1 may restart 3 times), started on h1, app1 failed once and restarted. */
    private void runningOnH1WithOneRestartUsed() {
        PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", 3, null, PackageSpec.Backoff.NONE)));
        fact(new PackageApplied(spec));
        fact(new GuestStarted("h1"));
        fact(AppFailed.killed("app1", 101, "KILL"));
        assertThat(commands.readValuesToList()).hasSize(1);
        decisions.readValuesToList();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    private void fact(Fact fact) {
        facts++;
        guestLog.pipeInput("g1", codec.encode(new CloudEvent<>("f" + facts, "/guest/g1/reporter", T0.plusSeconds(facts), "g1",
                null, fact instanceof GuestStarted ? "h1" : null, fact instanceof AppFailed || fact instanceof GuestStarted ? 1L : null, fact)));
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
