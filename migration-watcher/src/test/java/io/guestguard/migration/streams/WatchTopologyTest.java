package io.guestguard.migration.streams;

import io.guestguard.migration.watch.ContactWatcher;
import io.guestguard.migration.watch.WatchSettings;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The watcher's topology on Kafka Streams' test driver, with its wall clock moved by hand. */
class WatchTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private final Topics topics = Topics.DEFAULT;
    private final EventCodec codec = new EventCodec();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> guestLog;
    private TestInputTopic<String, byte[]> heartbeats;
    private TestOutputTopic<String, byte[]> commands;
    private TestOutputTopic<String, byte[]> log;
    private TestOutputTopic<String, byte[]> deadLetters;
    private int ids;

    @BeforeEach
    void start() {
        var settings = new WatchSettings(Duration.ofSeconds(1), 3, Duration.ofSeconds(2), Duration.ofMinutes(1),
                Duration.ofSeconds(5), Duration.ofSeconds(8));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "watch-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(WatchTopology.build(topics, new ContactWatcher(settings), codec,
                Duration.ofMillis(100), new WatchMetrics(registry)), props, T0);
        var strings = Serdes.String();
        var bytes = Serdes.ByteArray();
        guestLog = driver.createInputTopic(topics.guestLog(), strings.serializer(), bytes.serializer());
        heartbeats = driver.createInputTopic(topics.heartbeats(), strings.serializer(), bytes.serializer());
        commands = driver.createOutputTopic(topics.guestCommands(), strings.deserializer(), bytes.deserializer());
        log = driver.createOutputTopic(topics.guestLog(), strings.deserializer(), bytes.deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetter(), strings.deserializer(), bytes.deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void aMigratedGuestIsRebindedAndItsAnswerIsTimed() {
        fact("g1", 1L, null, new GuestStarted("h1"));
        fact("g1", 1L, null, new MigrationStarted("h1", "h2"));
        driver.advanceWallClockTime(Duration.ofMillis(300));
        fact("g1", 1L, null, new MigrationCompleted("h1", "h2"));

        CloudEvent<?> rebind = codec.decode(commands.readValue());
        assertThat(rebind.data()).isEqualTo(new Rebind("h2", 2, "f3"));
        assertThat(rebind.epoch()).isEqualTo(2);
        driver.advanceWallClockTime(Duration.ofMillis(120));
        fact("g1", null, 5L, new Rebound(rebind.id(), "h2", 2, 6, 0, false));
        for (int i = 0; i < 40; i++) { // 4 s, beating
            driver.advanceWallClockTime(Duration.ofMillis(100));
            beat("g1");
        }

        assertThat(commands.isEmpty()).as("verified: no second rebind").isTrue();
        assertThat(registry.get("guestguard.watcher.rebind.latency").timer().count()).isEqualTo(1);
        assertThat(registry.get("guestguard.watcher.migrations").tag("outcome", "completed").counter().count()).isEqualTo(1);
        assertThat(registry.get("guestguard.watcher.rebinds.sent").counter().count()).isEqualTo(1);
    }

    @Test
    void anUnansweredRebindIsSentAgainThenContactLostGoesToTheGuestLog() {
        fact("g2", 4L, null, new GuestStarted("h1"));
        fact("g2", 4L, null, new MigrationStarted("h1", "h2"));
        fact("g2", 4L, null, new MigrationCompleted("h1", "h2"));
        log.readRecordsToList(); // the facts fed in

        for (int i = 0; i < 31; i++) {
            driver.advanceWallClockTime(Duration.ofMillis(100));
        }

        List<TestRecord<String, byte[]>> sent = commands.readRecordsToList();
        List<CloudEvent<?>> rebinds = sent.stream().<CloudEvent<?>>map(r -> codec.decode(r.value())).toList();
        assertThat(rebinds).extracting(CloudEvent::id).containsExactly("f3:rebind-1", "f3:rebind-2", "f3:rebind-3");
        List<TestRecord<String, byte[]>> escalations = log.readRecordsToList();
        assertThat(escalations).hasSize(1);
        assertThat(java.util.stream.Stream.concat(sent.stream(), escalations.stream()))
                .as("structured mode, as the CloudEvents Kafka binding marks it").allSatisfy(r ->
                        assertThat(new String(r.headers().lastHeader("content-type").value(), java.nio.charset.StandardCharsets.UTF_8))
                                .isEqualTo("application/cloudevents+json"));
        CloudEvent<?> lost = codec.decode(escalations.get(0).value());
        assertThat(escalations.get(0).key()).isEqualTo("g2");
        assertThat(lost.data()).isInstanceOfSatisfying(ContactLost.class, c -> {
            assertThat(c.host()).isEqualTo("h2");
            assertThat(c.epoch()).isEqualTo(5);
            assertThat(c.rebindsSent()).isEqualTo(3);
        });
        assertThat(lost.epoch()).as("stamped with the placement it is about, so the engine drops it once that is over")
                .isEqualTo(5);
        assertThat(registry.get("guestguard.watcher.escalations").tag("trigger", "migration-completed").counter().count())
                .isEqualTo(1);
    }

    @Test
    void eachRebindContinuesTheMigrationsTraceAndContactLostStartsItsOwn() {
        Traceparent migration = Traceparent.start();
        fact("g7", 4L, null, new GuestStarted("h1"));
        fact("g7", 4L, null, new MigrationStarted("h1", "h2"));
        guestLog.pipeInput("g7", codec.encode(new CloudEvent<>("f-done", "/test", T0, "g7", null, null, 4L,
                new MigrationCompleted("h1", "h2")).withTraceparent(migration)));
        log.readRecordsToList(); // the facts fed in

        for (int i = 0; i < 31; i++) {
            driver.advanceWallClockTime(Duration.ofMillis(100));
        }

        List<CloudEvent<?>> rebinds = commands.readValuesToList().stream().<CloudEvent<?>>map(codec::decode).toList();
        assertThat(rebinds).hasSize(3).allSatisfy(r -> assertThat(r.traceparent())
                .isEqualTo(migration.derived(r.id())).extracting(Traceparent::traceId).isEqualTo(migration.traceId()));
        assertThat(rebinds.stream().map(r -> r.traceparent().parentId()).distinct()).hasSize(3);
        CloudEvent<?> lost = codec.decode(log.readRecordsToList().get(0).value());
        assertThat(lost.data()).isInstanceOf(ContactLost.class);
        assertThat(lost.traceparent()).as("contact-lost starts a chain of its own").isNotNull()
                .extracting(Traceparent::traceId).isNotEqualTo(migration.traceId());
    }

    @Test
    void aRunningGuestThatBeatsIsNotCheckedAndOneThatFellSilentIs() {
        fact("g5", 1L, null, new GuestStarted("h1"), T0);
        fact("g6", 1L, null, new GuestStarted("h1"), T0);
        for (int i = 1; i <= 75; i++) { // 15 s: the start grace (8 s) and the silence timeout (5 s) pass
            driver.advanceWallClockTime(Duration.ofMillis(200));
            beat("g5", T0.plusMillis(i * 200L)); // five beats a second, of which the watcher reads one
            beat("unknown-" + i, T0.plusMillis(i * 200L));
        }

        assertThat(commands.readValuesToList().stream().<CloudEvent<?>>map(codec::decode).toList())
                .extracting(CloudEvent::guestId).as("rebinds, from 13 s on").isNotEmpty().containsOnly("g6");
    }

    @Test
    void aRunningGuestBeatingEverySecondHasOneBeatReadInAQuarterOfTheSilenceTimeout() {
        fact("g7", 1L, null, new GuestStarted("h1"), T0);
        for (int i = 1; i <= 30; i++) { // 30 s of a beat a second: start grace (8 s) and silence timeout (5 s) pass
            driver.advanceWallClockTime(Duration.ofSeconds(1));
            beat("g7", T0.plusSeconds(i));
        }

        double read = registry.get("guestguard.watcher.beats.read").counter().count();
        assertThat(read).as("one beat in 1.25 s (5 s / 4) is read: every other one, not all 30").isBetween(14.0, 16.0);
        assertThat(commands.readValuesToList()).as("never silent, so never checked").isEmpty();
    }

    @Test
    void aWatcherBehindItsInputDoesNotEscalateBeforeItHasReadUpToTheDeadline() {
        fact("g2", 4L, null, new GuestStarted("h1"), T0);
        fact("g2", 4L, null, new MigrationStarted("h1", "h2"), T0);
        fact("g2", 4L, null, new MigrationCompleted("h1", "h2"), T0);
        log.readRecordsToList();

        // 3.1 s pass on the watcher's clock while it works through a burst of other guests' beats,
        // all appended in the first 300 ms: its rebinds go out, the escalation waits.
        for (int i = 0; i < 31; i++) {
            driver.advanceWallClockTime(Duration.ofMillis(100));
            for (int b = 0; b < 10; b++) {
                beat("storm-" + b, T0.plusMillis(i * 10L));
            }
        }
        assertThat(commands.readValuesToList().stream().<CloudEvent<?>>map(codec::decode).toList())
                .extracting(CloudEvent::id).containsExactly("f3:rebind-1", "f3:rebind-2", "f3:rebind-3");
        assertThat(log.readRecordsToList()).as("no contact-lost while behind").isEmpty();
        assertThat(registry.get("guestguard.watcher.escalations.held").counter().count()).isEqualTo(1);

        // The reporter's answer was in the backlog: appended 2.5 s in, before the last rebind's deadline.
        fact("g2", null, 9L, new Rebound("f3:rebind-3", "h2", 5, 10, 0, false), T0.plusMillis(2_500));
        for (int i = 0; i < 30; i++) {
            driver.advanceWallClockTime(Duration.ofMillis(100));
        }
        assertThat(log.readRecordsToList()).as("contact verified, never lost").isEmpty();
        assertThat(registry.get("guestguard.watcher.rebind.latency").timer().count()).isEqualTo(1);
    }

    @Test
    void aWatcherThatCaughtUpEscalatesAContactThatIsReallyLost() {
        fact("g2", 4L, null, new GuestStarted("h1"), T0);
        fact("g2", 4L, null, new MigrationStarted("h1", "h2"), T0);
        fact("g2", 4L, null, new MigrationCompleted("h1", "h2"), T0);
        log.readRecordsToList();
        for (int i = 0; i < 31; i++) {
            driver.advanceWallClockTime(Duration.ofMillis(100));
            beat("storm", T0.plusMillis(i * 10L));
        }
        assertThat(log.readRecordsToList()).as("behind: not yet").isEmpty();

        // Nothing processed for 5 s, but the last record read had waited 2.8 s: a stalled thread with
        // a backlog (a machine out of CPU) looks the same as the end of the input, so not yet either.
        for (int i = 0; i < 50; i++) {
            driver.advanceWallClockTime(Duration.ofMillis(100));
        }
        assertThat(log.readRecordsToList()).as("a pause after old records is not the end of the input").isEmpty();

        beat("storm", T0.plusMillis(8_100)); // appended just now: the watcher has caught up
        for (int i = 0; i < 10; i++) { // and nothing more to read for a second: the input is read to its end
            driver.advanceWallClockTime(Duration.ofMillis(100));
        }

        assertThat(log.readRecordsToList()).extracting(r -> codec.decode(r.value()).data())
                .singleElement().isInstanceOf(ContactLost.class);
    }

    @Test
    void whatCannotBeReadIsDeadLetteredAndTheWatcherGoesOn() {
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
        guestLog.pipeInput("g3", garbage, T0);
        fact("g3", 1L, null, new GuestStarted("h1"));
        fact("g3", 1L, null, new MigrationStarted("h1", "h2"));
        fact("g3", 1L, null, new MigrationCompleted("h1", "h2"));

        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(new String(dead.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
                .startsWith("malformed JSON");
        assertThat(commands.readValuesToList()).as("the next guest's migration is still watched").hasSize(1);
    }

    private void fact(String guest, Long epoch, Long seq, Payload data) {
        guestLog.pipeInput(guest, codec.encode(new CloudEvent<>("f" + ++ids, "/test", T0, guest, seq, null, epoch, data)));
    }

    /** A fact appended at {@code at} (the record's timestamp, as the broker stamps it). */
    private void fact(String guest, Long epoch, Long seq, Payload data, Instant at) {
        guestLog.pipeInput(guest, codec.encode(new CloudEvent<>("f" + ++ids, "/test", at, guest, seq, null, epoch, data)), at);
    }

    private void beat(String guest) {
        heartbeats.pipeInput(guest, codec.encode(CloudEvent.ofGuest("b" + ++ids, "/test", T0, guest,
                new Heartbeat("guest", guest, List.of()))));
    }

    private void beat(String guest, Instant at) {
        heartbeats.pipeInput(guest, codec.encode(CloudEvent.ofGuest("b" + ++ids, "/test", at, guest,
                new Heartbeat("guest", guest, List.of()))), at);
    }
}
