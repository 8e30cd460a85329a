package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.hostile.HostileRecords;
import io.guestguard.protocol.hostile.HostileRecords.Hostile;
import io.guestguard.protocol.testing.MemoryTempDir;
import org.apache.kafka.common.header.Header;
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
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile-record campaign against the engine's topology (issue 11, point 3): 100,000 records made
 * from mutations of every golden sample go to each of its three inputs, the guest log (the decider),
 * {@code host-heartbeats.v1} (the host-loss detector) and {@code placements.v1} (the global view). No
 * exception escapes the driver; on the two inputs its processors read, every record the decoding
 * boundary rejects is dead-lettered with its reason and origin, a record it accepts is processed or
 * dead-lettered by the processor's own rule (a tick read from another partition than it names), and
 * none fails in processing;
 * the view keeps what the compacted topic holds and its readers skip what they cannot read. Afterwards
 * the engine still decides: a real failure is restarted, and a {@code min_package_node} start reads
 * the garbage-filled view. The counts go to the test's output (docs/reliability.md records them).
 */
class HostileEngineCampaignTest {

    private static final int RECORDS = Integer.getInteger("campaign.records", 100_000);
    private static final long SEED = 20261206L;
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    private final EventCodec codec = new EventCodec();
    private final RecordGate gate = new RecordGate(codec);
    private final Topics topics = Topics.DEFAULT;
    private TopologyTestDriver driver;
    private TestOutputTopic<String, byte[]> deadLetters;
    private TestOutputTopic<String, byte[]> guestCommands;
    private TestOutputTopic<String, byte[]> hostCommands;
    private final List<TestOutputTopic<String, byte[]>> drained = new ArrayList<>();

    @BeforeEach
    void start(@TempDir(factory = MemoryTempDir.class) Path state) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "hostile-engine");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec), props,
                T0);
        deadLetters = output(topics.deadLetter());
        guestCommands = output(topics.guestCommands());
        hostCommands = output(topics.hostCommands());
        for (String topic : List.of(topics.decisions(), topics.placements(), topics.packages(), topics.guestLog(),
                topics.hostHeartbeats())) {
            drained.add(output(topic));
        }
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void everyHostileRecordIsProcessedOrDeadLetteredAndTheEngineStillDecides() {
        HostileRecords hostile = new HostileRecords(UnaryOperator.identity());
        Counts guestLog = feed(hostile, topics.guestLog(), gate::fact);
        Counts hostBeats = feed(hostile, topics.hostHeartbeats(), gate::hostHeartbeat);
        TestInputTopic<String, byte[]> placements = input(topics.placements());
        int[] viewed = {0};
        hostile.forEach(SEED, RECORDS, record -> {
            if (record.key() != null) { // the compacted topic's records all have keys (a keyless one is refused by Kafka)
                placements.pipeInput(record.key(), record.value(), T0);
                viewed[0]++;
            }
        });
        System.out.printf("campaign: engine, %s%ncampaign: engine, %s%ncampaign: engine, placements view: %,d records stored%n",
                guestLog, hostBeats, viewed[0]);

        assertThat(guestLog.mismatches).as("guest log: every rejected record dead-lettered, none failed").isEmpty();
        assertThat(hostBeats.mismatches).as("host beats: every rejected record dead-lettered, none failed").isEmpty();
        assertThat(guestLog.fed).isGreaterThanOrEqualTo(RECORDS);
        assertThat(guestLog.processed).as("valid mutations reach the decider").isPositive();
        assertThat(hostBeats.processed).as("valid mutations reach the detector").isPositive();

        stillDecides();
    }

    /** Feeds every hostile record to {@code topic}, and compares each dead letter with the gate's verdict. */
    private Counts feed(HostileRecords hostile, String topic, BiConsumer<String, byte[]> check) {
        TestInputTopic<String, byte[]> in = input(topic);
        Counts counts = new Counts(topic);
        Set<Long> rejectedOffsets = new HashSet<>();
        Map<Long, String> deadOffsets = new HashMap<>();
        long[] offset = {0};
        List<String> labels = new ArrayList<>();
        hostile.forEach(SEED, RECORDS, record -> {
            long at = offset[0]++;
            labels.add(record.label());
            boolean rejected = rejected(check, record);
            if (rejected) {
                rejectedOffsets.add(at);
            }
            in.pipeInput(record.key(), record.value(), T0.plusMillis(at));
            counts.fed++;
            if (counts.fed % 5_000 == 0) {
                drain(topic, deadOffsets);
            }
        });
        drain(topic, deadOffsets);
        counts.deadLettered = deadOffsets.size();
        for (long at = 0; at < counts.fed; at++) {
            String reason = deadOffsets.get(at);
            if (rejectedOffsets.contains(at) && reason == null) {
                counts.mismatches.add("rejected but not dead-lettered: " + labels.get((int) at));
            } else if (reason != null && reason.startsWith("processing failed")) {
                counts.mismatches.add("failed in processing (" + reason + "): " + labels.get((int) at));
            } else if (!rejectedOffsets.contains(at) && reason != null) {
                counts.byOwnRule++;
            } else if (reason == null) {
                counts.processed++;
            }
        }
        return counts;
    }

    private boolean rejected(BiConsumer<String, byte[]> check, Hostile record) {
        try {
            check.accept(record.key(), record.value());
            return false;
        } catch (RejectedRecordException e) {
            return true;
        }
    }

    /** Reads the dead letters of {@code topic} so far (their origin offsets), and empties the other outputs. */
    private void drain(String topic, Map<Long, String> deadOffsets) {
        for (TestRecord<String, byte[]> dead : deadLetters.readRecordsToList()) {
            assertThat(header(dead, DeadLetter.REASON)).as("a dead letter's reason").isNotBlank().doesNotContain("\n");
            assertThat(header(dead, DeadLetter.SERVICE)).isEqualTo("policy-engine");
            if (topic.equals(header(dead, DeadLetter.TOPIC))) {
                deadOffsets.put(Long.parseLong(header(dead, DeadLetter.OFFSET)), header(dead, DeadLetter.REASON));
            }
        }
        guestCommands.readRecordsToList();
        hostCommands.readRecordsToList();
        drained.forEach(TestOutputTopic::readRecordsToList);
    }

    /** A real guest, after the campaign: its failure is restarted; a min_package_node start reads the view. */
    private void stillDecides() {
        TestInputTopic<String, byte[]> guestLog = input(topics.guestLog());
        Instant after = T0.plusSeconds(3600);
        PackageSpec spec = new PackageSpec("after-campaign", List.of("h1", "h2"), PackageSpec.FailoverPolicy.MIN_PACKAGE_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", 3, null, PackageSpec.Backoff.NONE)));
        guestLog.pipeInput("after-campaign", codec.encode(CloudEvent.ofGuest("real-1", "/operator/campaign", after,
                "after-campaign", new PackageApplied(spec))), after);
        assertThat(hostCommands.readRecordsToList()).as("a min_package_node start over a view full of garbage")
                .anySatisfy(r -> assertThat(codec.decode(r.value()).data()).isInstanceOf(StartGuest.class));
        guestLog.pipeInput("after-campaign", codec.encode(new CloudEvent<>("real-2", "/host/h1/supervisor", after.plusSeconds(1),
                "after-campaign", null, "h1", 1L, new GuestStarted("h1"))), after.plusSeconds(1));
        guestLog.pipeInput("after-campaign", codec.encode(CloudEvent.ofGuest("real-3", "/guest/after-campaign/reporter",
                after.plusSeconds(2), "after-campaign", AppFailed.killed("app1", 4242, "KILL"))), after.plusSeconds(2));
        assertThat(guestCommands.readRecordsToList()).as("a real failure after the campaign is restarted")
                .anySatisfy(r -> assertThat(codec.decode(r.value()).data()).isInstanceOf(RestartApp.class));
    }

    private TestInputTopic<String, byte[]> input(String topic) {
        return driver.createInputTopic(topic, new StringSerializer(), new ByteArraySerializer());
    }

    private TestOutputTopic<String, byte[]> output(String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** What one input got: records fed, processed, dead-lettered (by the gate's or the processor's rule), and failures. */
    private static final class Counts {
        final String topic;
        long fed;
        long processed;
        long deadLettered;
        long byOwnRule;
        final List<String> mismatches = new ArrayList<>();

        Counts(String topic) {
            this.topic = topic;
        }

        @Override
        public String toString() {
            return String.format("%s: %,d records, %,d processed, %,d dead-lettered with a reason (%,d of them valid events "
                    + "refused by the processor's own rule), %,d failures", topic, fed, processed, deadLettered, byOwnRule,
                    mismatches.size());
        }
    }
}
