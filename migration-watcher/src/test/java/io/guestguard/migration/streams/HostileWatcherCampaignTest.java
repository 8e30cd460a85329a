package io.guestguard.migration.streams;

import io.guestguard.migration.watch.ContactWatcher;
import io.guestguard.migration.watch.WatchSettings;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.hostile.HostileRecords;
import io.guestguard.protocol.testing.MemoryTempDir;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile-record campaign against the migration watcher's topology (issue 11, point 3): 100,000
 * records made from mutations of every golden sample go to the guest log and to {@code heartbeats.v1},
 * while the golden samples' guests are running (so the watcher has something due for them and reads
 * their beats). No exception escapes the driver. On the guest log every record the decoding boundary
 * rejects is dead-lettered with its reason and none fails in processing; on the beats, a record is
 * dead-lettered with its reason, processed, or left unread because it could change nothing (a beat
 * of a guest the watcher has nothing due for, or heard from less than a second ago), and none
 * the boundary accepts is dead-lettered. Afterwards the watcher still proves contact: a completed
 * migration is answered with a rebind.
 */
class HostileWatcherCampaignTest {

    private static final int RECORDS = Integer.getInteger("campaign.records", 100_000);
    private static final long SEED = 20261206L;
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    private final Topics topics = Topics.DEFAULT;
    private final EventCodec codec = new EventCodec();
    private final RecordGate gate = new RecordGate(codec);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> guestLog;
    private TestInputTopic<String, byte[]> heartbeats;
    private TestOutputTopic<String, byte[]> commands;
    private TestOutputTopic<String, byte[]> escalations;
    private TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void start(@TempDir(factory = MemoryTempDir.class) Path state) {
        var settings = new WatchSettings(Duration.ofSeconds(1), 3, Duration.ofSeconds(2), Duration.ofMinutes(1),
                Duration.ofSeconds(5), Duration.ofSeconds(8));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "hostile-watcher");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        driver = new TopologyTestDriver(WatchTopology.build(topics, new ContactWatcher(settings), codec,
                Duration.ofMillis(100), new WatchMetrics(new SimpleMeterRegistry())), props, T0);
        var strings = Serdes.String();
        var bytes = Serdes.ByteArray();
        guestLog = driver.createInputTopic(topics.guestLog(), strings.serializer(), bytes.serializer());
        heartbeats = driver.createInputTopic(topics.heartbeats(), strings.serializer(), bytes.serializer());
        commands = driver.createOutputTopic(topics.guestCommands(), strings.deserializer(), bytes.deserializer());
        escalations = driver.createOutputTopic(topics.guestLog(), strings.deserializer(), bytes.deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetter(), strings.deserializer(), bytes.deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void everyHostileRecordIsProcessedOrDeadLetteredAndTheWatcherStillProvesContact() {
        startSampleGuests("start-", T0);
        HostileRecords hostile = new HostileRecords(UnaryOperator.identity());
        Counts facts = feed(hostile, guestLog, topics.guestLog(), gate::fact);
        // Valid facts of the campaign may have halted them: started again, whatever the campaign's draw.
        startSampleGuests("restart-", T0.plusMillis(RECORDS + 2));
        Counts beats = feed(hostile, heartbeats, topics.heartbeats(), gate::heartbeat);
        System.out.printf("campaign: watcher, %s%ncampaign: watcher, %s%n", facts, beats);

        assertThat(facts.failures).as("guest log: every rejected record dead-lettered, none failed").isEmpty();
        assertThat(facts.unread).as("every fact is read").isZero();
        assertThat(beats.failures).as("beats: none failed, none dead-lettered that the gate accepts").isEmpty();
        assertThat(beats.deadLettered).as("malformed beats of running guests are dead-lettered").isPositive();
        assertThat(facts.processed).as("valid mutations reach the watcher").isPositive();

        stillProvesContact();
    }

    /** The golden samples' guests run, so that the watcher reads their beats. */
    private void startSampleGuests(String idPrefix, Instant at) {
        for (String guest : List.of("g1", "g2")) {
            guestLog.pipeInput(guest, codec.encode(new CloudEvent<>(idPrefix + guest, "/host/h1/supervisor", at, guest, null,
                    "h1", 1L, new GuestStarted("h1"))), at);
        }
    }

    private Counts feed(HostileRecords hostile, TestInputTopic<String, byte[]> in, String topic, BiConsumer<String, byte[]> check) {
        Counts counts = new Counts(topic);
        Map<Long, Boolean> rejected = new HashMap<>();
        Map<Long, String> dead = new HashMap<>();
        List<String> labels = new ArrayList<>();
        long first = topic.equals(topics.guestLog()) ? 2 : 0; // the two starts above came first
        long[] offset = {first};
        hostile.forEach(SEED, RECORDS, record -> {
            long at = offset[0]++;
            labels.add(record.label());
            try {
                check.accept(record.key(), record.value());
                rejected.put(at, false);
            } catch (RejectedRecordException e) {
                rejected.put(at, true);
            }
            in.pipeInput(record.key(), record.value(), T0.plusMillis(at));
            if (++counts.fed % 5_000 == 0) {
                drain(topic, dead);
            }
        });
        drain(topic, dead);
        counts.deadLettered = dead.size();
        for (long at = first; at < offset[0]; at++) {
            String label = labels.get((int) (at - first));
            String reason = dead.get(at);
            if (reason != null && reason.startsWith("processing failed")) {
                counts.failures.add("failed in processing (" + reason + "): " + label);
            } else if (reason != null && !rejected.get(at)) {
                counts.failures.add("dead-lettered although the gate accepts it (" + reason + "): " + label);
            } else if (reason == null && rejected.get(at)) {
                counts.unread++; // rejected by the gate, but left unread: it could change nothing
            } else if (reason == null) {
                counts.processed++;
            }
        }
        return counts;
    }

    private void drain(String topic, Map<Long, String> dead) {
        for (TestRecord<String, byte[]> letter : deadLetters.readRecordsToList()) {
            assertThat(header(letter, DeadLetter.REASON)).isNotBlank().doesNotContain("\n");
            assertThat(header(letter, DeadLetter.SERVICE)).isEqualTo("migration-watcher");
            if (topic.equals(header(letter, DeadLetter.TOPIC))) {
                dead.put(Long.parseLong(header(letter, DeadLetter.OFFSET)), header(letter, DeadLetter.REASON));
            }
        }
        commands.readRecordsToList();
        escalations.readRecordsToList();
    }

    private void stillProvesContact() {
        Instant at = T0.plusSeconds(3600);
        String guest = "after-campaign";
        guestLog.pipeInput(guest, codec.encode(new CloudEvent<>("real-1", "/host/h1/supervisor", at, guest, null, "h1", 1L,
                new GuestStarted("h1"))), at);
        guestLog.pipeInput(guest, codec.encode(new CloudEvent<>("real-2", "/host/h1/supervisor", at, guest, null, "h1", 1L,
                new MigrationStarted("h1", "h2"))), at);
        guestLog.pipeInput(guest, codec.encode(new CloudEvent<>("real-3", "/host/h2/supervisor", at, guest, null, "h2", 1L,
                new MigrationCompleted("h1", "h2"))), at);
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(commands.readRecordsToList()).as("a completed migration after the campaign is answered with a rebind")
                .anySatisfy(r -> {
                    assertThat(r.key()).isEqualTo(guest);
                    assertThat(codec.decode(r.value()).data()).isEqualTo(new Rebind("h2", 2, "real-3"));
                });
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** What one input got: records fed, processed, dead-lettered with a reason, left unread, and failures. */
    private static final class Counts {
        final String topic;
        long fed;
        long processed;
        long deadLettered;
        long unread;
        final List<String> failures = new ArrayList<>();

        Counts(String topic) {
            this.topic = topic;
        }

        @Override
        public String toString() {
            return String.format("%s: %,d records, %,d processed, %,d dead-lettered with a reason, %,d left unread (they "
                    + "could change nothing), %,d failures", topic, fed, processed, deadLettered, unread, failures.size());
        }
    }
}
