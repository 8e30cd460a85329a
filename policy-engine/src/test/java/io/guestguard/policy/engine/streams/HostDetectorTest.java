package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.DetectorTick;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostAvailable;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.PlacementPhase;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The host-loss detector on Kafka Streams' test driver. Its input is what a partition of
 * {@code host-heartbeats.v1} holds: host beats and the detector's ticks, in append order, each
 * stamped with its append time (the topic is {@code LogAppendTime}). Host loss must be a function of
 * that content alone, so most tests pipe a partition's records as the broker would have appended
 * them and never move the driver's wall clock: what the detector's own clock says, and how late it
 * reads, must not matter. (The detector before ticks judged on its wall clock, so none of these
 * losses would come from it at all.) One test lets the detector write its ticks itself.
 */
class HostDetectorTest {

    /** Broker time of the partition's first record. */
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final DecisionTopology.HostDetection DETECTION =
            new DecisionTopology.HostDetection(Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(5), false, 3);

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final List<TopologyTestDriver> drivers = new ArrayList<>();
    private Partition partition;

    @BeforeEach
    void start() {
        // An hour after the records: the detector reads them late, and that must change nothing.
        partition = new Partition(T0.plus(Duration.ofHours(1)));
    }

    @AfterEach
    void stop() {
        drivers.forEach(TopologyTestDriver::close);
    }

    @Test
    void aHostSilentForATimeoutOfTicksIsLostOnceForEveryGuestThatOccupiesIt() {
        Log log = new Log().beats("h1", 0, 500).beats("h2", 0, 5_000).ticks(100, 5_000);
        partition.pipe(log.upTo(1_500));
        assertThat(partition.facts()).as("h1's last beat at 500 ms: 900 ms of silence").isEmpty();

        partition.pipe(log.from(1_500).upTo(1_600));

        List<CloudEvent<?>> facts = partition.facts();
        assertThat(facts).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");
        assertThat(facts).allSatisfy(f -> {
            assertThat(f.data()).isEqualTo(new HostLost("h1"));
            assertThat(f.source()).isEqualTo(HostDetector.SOURCE);
            assertThat(f.time()).as("the time of the tick that found it").isEqualTo(T0.plusMillis(1_500));
        });
        partition.pipe(log.from(1_600));
        assertThat(partition.facts()).as("a lost host is reported once; a beating one never").isEmpty();
    }

    @Test
    void aBacklogReadAllAtOnceIsNotSilence() {
        // Thirty seconds of two hosts beating every 250 ms, read in one burst an hour later (the
        // detector was behind): every beat was appended before the ticks after it.
        Log log = new Log().beats("h1", 0, 29_750).beats("h2", 0, 31_000).ticks(100, 31_000);
        partition.pipe(log.upTo(30_000));
        assertThat(partition.facts()).isEmpty();

        partition.pipe(log.from(30_000).upTo(30_800));
        assertThat(partition.facts()).as("950 ms after h1's last beat").isEmpty();
        partition.pipe(log.from(30_800).upTo(30_900));
        assertThat(partition.facts()).extracting(f -> (Object) f.data()).containsOnly(new HostLost("h1"));
    }

    @Test
    void aStalledEngineCountsTheGapBetweenItsTicksAsTwoCheckIntervalsAtMost() {
        // Ticks to 300 ms, then none for 1.5 s (the engine's stream thread stalled), while h2's beats
        // went on being appended and h1's had stopped at 250 ms.
        Log log = new Log().beats("h1", 0, 250).beats("h2", 0, 5_000).ticks(100, 300).ticks(1_800, 5_000);
        partition.pipe(log.upTo(2_600));
        assertThat(partition.facts()).as("at 2.5 s h1 was silent for 2.25 s of broker time, of which the stall counts "
                + "200 ms: 950 ms").isEmpty();

        partition.pipe(log.from(2_600).upTo(2_700));
        assertThat(partition.facts()).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");
    }

    @Test
    void aBrokerPauseIsNotSilenceEvenWhenTheHostsReconnectAfterTheEngine() {
        // Both hosts beat to 1 s; then the broker is away for 5 s; the engine's first tick is appended
        // at 6.05 s, the hosts' beats only from 6.9 s (their clients reconnect later).
        Log log = new Log().beats("h1", 0, 1_000).beats("h2", 0, 1_000).ticks(100, 1_000)
                .beats("h2", 6_900, 12_000).ticks(6_050, 12_000);
        partition.pipe(log.upTo(7_000));
        assertThat(partition.facts()).as("nobody could beat during the pause").isEmpty();

        partition.pipe(log.from(7_000).upTo(7_800));
        assertThat(partition.facts()).as("h1 gets the pause's hold (a timeout) and a timeout more").isEmpty();
        partition.pipe(log.from(7_800).upTo(7_900));
        assertThat(partition.facts()).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");
        partition.pipe(log.from(7_900));
        assertThat(partition.facts()).as("h2 beat again after the pause").isEmpty();
    }

    @Test
    void aLostHostThatBeatsAgainIsAvailableToItsGuestsAndToWaitingOnes() {
        partition.pipe(new Log().beats("h1", 0, 0).beats("h2", 0, 0).ticks(100, 1_100));
        assertThat(partition.facts()).extracting(f -> (Object) f.data()).contains(new HostLost("h1"), new HostLost("h2"));

        partition.pipe(new Log().beats("h2", 1_150, 1_150));

        List<CloudEvent<?>> back = partition.facts();
        assertThat(back).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g2", "g4");
        assertThat(back).extracting(f -> (Object) f.data()).containsOnly(new HostAvailable("h2"));
        assertThat(back).allSatisfy(f -> assertThat(f.time()).isEqualTo(T0.plusMillis(1_150)));
    }

    @Test
    void aHostThatBeatsAgainIsAlsoAvailableToTheGuestsThatLeftItMeanwhile() {
        partition.pipe(new Log().beats("h1", 0, 0).beats("h2", 0, 1_200).ticks(100, 1_200));
        assertThat(partition.facts()).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");
        partition.place("g1", "h2", PlacementPhase.RUNNING); // failed over while h1 was away: it still counts h1 out
        partition.place("g5", "h2", PlacementPhase.RUNNING);

        partition.pipe(new Log().beats("h1", 1_250, 1_250));

        List<CloudEvent<?>> back = partition.facts();
        assertThat(back).extracting(CloudEvent::guestId).contains("g1", "g5");
        assertThat(back).extracting(f -> (Object) f.data()).containsOnly(new HostAvailable("h1"));
    }

    @Test
    void aHostThatLeftIsNotLostBeforeTheDetachTimeoutAndLostAfterIt() {
        // h1 beats to 500 ms and says it leaves at 600 ms (its supervisor got SIGTERM), then nothing.
        Log log = new Log().beats("h1", 0, 500).leaves("h1", 600).beats("h2", 0, 9_000).ticks(100, 9_000);
        partition.pipe(log.upTo(5_600));
        assertThat(partition.facts()).as("silent for 5 s, four host timeouts, but detached for 5 s from its leaving").isEmpty();

        partition.pipe(log.from(5_600).upTo(5_700));
        List<CloudEvent<?>> lost = partition.facts();
        assertThat(lost).as("at the first tick 5 s after the leaving, on the same clock")
                .extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");
        assertThat(lost).extracting(f -> (Object) f.data()).as("lost after leaving: the decider alerts instead of fencing")
                .containsOnly(new HostLost("h1", true));
        partition.pipe(log.from(5_700));
        assertThat(partition.facts()).isEmpty();

        Partition active = new Partition(T0);
        active.pipe(log.upTo(3_000));
        Partition standby = new Partition(T0);
        standby.restoreFrom(active);
        standby.pipe(log.from(3_000).upTo(5_700));
        assertThat(active.facts()).isEmpty();
        assertThat(standby.facts()).as("a standby keeps the detach where the store has it").extracting(CloudEvent::guestId)
                .containsExactlyInAnyOrder("g1", "g5");
    }

    @Test
    void withFailOverAfterDetachAHostThatDidNotComeBackIsLostAsACrashedOne() {
        Partition failingOver = new Partition(T0, new DecisionTopology.HostDetection(Duration.ofSeconds(1),
                Duration.ofMillis(100), Duration.ofSeconds(5), true, 3));
        failingOver.pipe(new Log().beats("h1", 0, 500).leaves("h1", 600).beats("h2", 0, 6_000).ticks(100, 6_000).upTo(6_000));
        assertThat(failingOver.facts()).extracting(f -> (Object) f.data()).as("fenced and failed over as after a crash")
                .containsOnly(new HostLost("h1"));
    }

    @Test
    void aHostThatLeftAndBeatsAgainIsAttachedAndItsLaterSilenceIsALossAsAnyOther() {
        // h1 leaves at 600 ms, its supervisor is back from 3 s to 3.5 s, then is killed (no leaving).
        Log log = new Log().beats("h1", 0, 500).leaves("h1", 600).beats("h1", 3_000, 3_500).beats("h2", 0, 9_000)
                .ticks(100, 9_000);
        partition.pipe(log.upTo(4_500));
        assertThat(partition.facts()).as("back before the detach timeout: its guests hear nothing, not even available")
                .isEmpty();

        partition.pipe(log.from(4_500).upTo(4_600));
        assertThat(partition.facts()).as("a host timeout after its last beat, long before the old detach would end")
                .extracting(f -> (Object) f.data()).containsOnly(new HostLost("h1"));
    }

    @Test
    void aHostLostBeforeItSaysItLeavesStaysLost() {
        Log log = new Log().beats("h1", 0, 0).beats("h2", 0, 3_000).ticks(100, 3_000).leaves("h1", 1_500);
        partition.pipe(log.upTo(1_200));
        assertThat(partition.facts()).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");

        partition.pipe(log.from(1_200));
        assertThat(partition.facts()).as("no host.available: a leaving is no beat").isEmpty();
    }

    @Test
    void aStandbyGivenTheStoreGoesOnExactlyAsTheDetectorItReplaces() {
        Log log = new Log().beats("h1", 0, 700).beats("h2", 0, 1_000).ticks(100, 1_000)
                .beats("h2", 4_000, 9_000).ticks(4_100, 9_000);
        partition.pipe(log);
        List<CloudEvent<?>> uninterrupted = partition.facts();
        assertThat(uninterrupted).as("h1 is lost after the pause").isNotEmpty();

        Partition active = new Partition(T0);
        active.pipe(log.upTo(4_300));
        Partition standby = new Partition(T0);
        standby.restoreFrom(active);
        standby.pipe(log.from(4_300));

        assertThat(active.facts()).isEmpty();
        // Each fact starts a trace of its own (random), so they are compared without it.
        assertThat(uninterrupted).allSatisfy(f -> assertThat(f.traceparent()).isNotNull());
        assertThat(untraced(standby.facts())).isEqualTo(untraced(uninterrupted));
    }

    private static List<CloudEvent<?>> untraced(List<CloudEvent<?>> facts) {
        return facts.stream().<CloudEvent<?>>map(f -> f.withTraceparent(null)).toList();
    }

    @Test
    void eachDetectedFactStartsATraceOfItsOwn() {
        partition.pipe(new Log().beats("h1", 0, 700).beats("h2", 0, 3_000).ticks(100, 3_000));

        List<CloudEvent<?>> lost = partition.facts();
        assertThat(lost).hasSizeGreaterThan(1);
        assertThat(lost).allSatisfy(f -> assertThat(f.traceparent()).isNotNull().satisfies(t -> assertThat(t.sampled()).isTrue()));
        assertThat(lost.stream().map(f -> f.traceparent().traceId()).distinct()).hasSameSizeAs(lost);
    }

    @Test
    void theDetectorTicksIntoItsOwnPartitionEveryCheckIntervalAndJudgesByWhatItReadsBack() {
        TopologyTestDriver driver = partition.driver;
        TestOutputTopic<String, byte[]> ticks = driver.createOutputTopic(topics.hostHeartbeats(), new StringDeserializer(),
                new ByteArrayDeserializer());
        Instant wall = partition.wall;
        for (int i = 0; i < 30; i++) { // 3 s of wall clock: h2 beats every 100 ms, h1 only in the first 0.5 s
            partition.beatNow("h2", wall);
            if (i < 5) {
                partition.beatNow("h1", wall);
            }
            driver.advanceWallClockTime(Duration.ofMillis(100));
            wall = wall.plusMillis(100);
        }

        List<TestRecord<String, byte[]>> written = ticks.readRecordsToList().stream()
                .filter(r -> codec.decode(r.value()).data() instanceof DetectorTick).toList();
        assertThat(written).hasSize(30).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo("tick-0");
            assertThat(codec.decode(r.value()).data()).isEqualTo(new DetectorTick(0));
        });
        assertThat(partition.facts()).extracting(CloudEvent::guestId).containsExactlyInAnyOrder("g1", "g5");
    }

    /**
     * Kafka Streams commits a task's offsets in a transaction after every punctuation, even one that wrote
     * nothing: the detector looks once per check interval, on a phase (PhasedPunctuationTest has the rule).
     */
    @Test
    void theDetectorLooksOncePerCheckIntervalOnAPhase() {
        var context = new MockProcessorContext<String, byte[]>();
        MockStores.add(context, DecisionTopology.HOST_WATCH);
        MockStores.add(context, DecisionTopology.PLACEMENTS_VIEW);
        new HostDetector(EngineTrust.off(codec), DETECTION, EngineTracing.DEFAULT, EngineMetrics.none().beatAges()).init(context);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(T0.toEpochMilli() + 50); // T0: a multiple of 100 ms
        context.scheduledPunctuators().get(1).getPunctuator().punctuate(T0.toEpochMilli() + 104);
        assertThat(context.scheduledPunctuators()).extracting(p -> p.getInterval(), p -> p.cancelled())
                .containsExactly(tuple(Duration.ofMillis(10), true), tuple(Duration.ofMillis(50), true),
                        tuple(DETECTION.checkEvery(), false));
    }

    /**
     * The detector reads its ticks, and the decider its facts, only once committed; with the engine's
     * commit interval a backstop of 100 ms, both ask for their commit at once, so no loss waits for it.
     */
    @Test
    void itsTicksAndTheFactsOfALossAskForTheirCommitAtOnceABeatDoesNot() {
        var context = new MockProcessorContext<String, byte[]>();
        MockStores.add(context, DecisionTopology.HOST_WATCH);
        MockStores.add(context, DecisionTopology.PLACEMENTS_VIEW).put("g1", codec.encode(new CloudEvent<Payload>("p-g1",
                "/policy-engine", T0, "g1", null, "h1", 1L, new GuestPlacement("h1", 1, PlacementPhase.RUNNING, Map.of()))));
        var detector = new HostDetector(EngineTrust.off(codec), DETECTION, EngineTracing.DEFAULT, EngineMetrics.none().beatAges());
        detector.init(context);
        context.setRecordMetadata(topics.hostHeartbeats(), 0, 0);

        detector.process(new Record<>("h1", hostBeat("h1", T0), T0.toEpochMilli()));
        assertThat(context.committed()).as("a beat waits for the interval").isFalse();

        context.scheduledPunctuators().get(0).getPunctuator().punctuate(T0.toEpochMilli() + 3); // on a multiple's phase
        assertThat(context.forwarded(DecisionTopology.TICKS)).as("the tick written").hasSize(1);
        assertThat(context.committed()).as("the tick's commit asked").isTrue();

        context.resetCommit();
        // h2 beats on (a partition where no host beats is a broker's pause, not a loss); h1 is silent.
        for (long at = 50; at < 1_100; at += 50) {
            if (at % 250 == 0) {
                detector.process(new Record<>("h2", hostBeat("h2", T0.plusMillis(at)), T0.toEpochMilli() + at));
            }
            if (at % 100 == 0) {
                detector.process(new Record<>(DetectorTick.key(0), tick(at), T0.toEpochMilli() + at));
            }
        }
        assertThat(context.forwarded(DecisionTopology.DEAD_LETTER)).as("every record read").isEmpty();
        assertThat(context.forwarded(DecisionTopology.DETECTED_FACTS)).as("h1 silent for less than its timeout").isEmpty();
        assertThat(context.committed()).as("beats and ticks read, nothing written").isFalse();

        // The clock starts at the first tick read (100 ms): a timeout of it has passed at 1,100 ms.
        detector.process(new Record<>(DetectorTick.key(0), tick(1_100), T0.toEpochMilli() + 1_100));
        assertThat(context.forwarded(DecisionTopology.DETECTED_FACTS)).as("h1 lost: g1 told")
                .singleElement().satisfies(f -> assertThat(codec.decode(f.record().value()).data()).isEqualTo(new HostLost("h1")));
        assertThat(context.committed()).as("the loss's commit asked").isTrue();
    }

    @Test
    void whatIsNotAHostsBeatOrThisPartitionsTickIsDeadLettered() {
        partition.pipeRaw("g9", codec.encode(CloudEvent.ofGuest("b-g9", "/guest/g9/reporter", T0, "g9",
                new Heartbeat("guest", "g9", List.of()))), 0);
        partition.pipeRaw("h7", "{]".getBytes(StandardCharsets.UTF_8), 0);
        partition.pipeRaw("tick-1", codec.encode(new CloudEvent<>("t1", "/x", T0, null, null, null, null, new DetectorTick(1))), 0);
        partition.pipe(new Log().beats("h1", 0, 2_000).beats("h2", 0, 2_000).beats("h3", 0, 2_000).beats("h4", 0, 2_000)
                .ticks(100, 2_000));

        assertThat(partition.facts()).as("no host lost by any of it").isEmpty();
        assertThat(partition.deadLetters()).extracting(r -> r.key() + ": " + new String(
                        r.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
                .hasSize(3 + 9)
                .anySatisfy(line -> assertThat(line).startsWith("g9: a guest's beat on the hosts' topic"))
                .anySatisfy(line -> assertThat(line).startsWith("h7: malformed JSON"))
                .anySatisfy(line -> assertThat(line).startsWith("tick-1: a tick for partition 1 read from partition 0"))
                .anySatisfy(line -> assertThat(line).startsWith("h4: partition 0 already watches 3 hosts, the most it keeps"));
    }

    /** One partition of host-heartbeats.v1 and the detector task reading it, on a driver of its own. */
    private final class Partition {
        final TopologyTestDriver driver;
        final Instant wall;
        private final TestInputTopic<String, byte[]> input;
        private final TestInputTopic<String, byte[]> placements;
        private final TestOutputTopic<String, byte[]> guestLog;
        private final TestOutputTopic<String, byte[]> deadLetters;

        Partition(Instant wall) {
            this(wall, DETECTION);
        }

        Partition(Instant wall, DecisionTopology.HostDetection detection) {
            this.wall = wall;
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "host-detector-test");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.STATE_DIR_CONFIG, "target/host-detector-test-state/" + UUID.randomUUID());
            driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec, detection),
                    props, wall);
            drivers.add(driver);
            input = driver.createInputTopic(topics.hostHeartbeats(), new StringSerializer(), new ByteArraySerializer());
            placements = driver.createInputTopic(topics.placements(), new StringSerializer(), new ByteArraySerializer());
            guestLog = driver.createOutputTopic(topics.guestLog(), new StringDeserializer(), new ByteArrayDeserializer());
            deadLetters = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
            place("g1", "h1", PlacementPhase.RUNNING);
            place("g2", "h2", PlacementPhase.RUNNING);
            place("g3", "h1", PlacementPhase.DOWN);
            place("g4", "h2", PlacementPhase.WAITING);
            place("g5", "h1", PlacementPhase.STARTING);
        }

        void pipe(Log log) {
            log.records.forEach((at, records) -> records.forEach(r -> pipeRaw(r.key, r.value, at)));
        }

        void pipeRaw(String key, byte[] value, long at) {
            input.pipeInput(key, value, T0.plusMillis(at));
        }

        /** A beat appended at the driver's wall clock (when the detector writes its ticks itself). */
        void beatNow(String host, Instant now) {
            input.pipeInput(host, hostBeat(host, now), now);
        }

        void place(String guest, String host, PlacementPhase phase) {
            placements.pipeInput(guest, codec.encode(new CloudEvent<Payload>("p-" + guest, "/policy-engine", T0, guest, null,
                    host, 1L, new GuestPlacement(host, 1, phase, Map.of()))));
        }

        /** What a restore from the changelog gives a standby: the active detector's store, entry by entry. */
        void restoreFrom(Partition active) {
            KeyValueStore<String, byte[]> mine = driver.getKeyValueStore(DecisionTopology.HOST_WATCH);
            try (var all = active.driver.<String, byte[]>getKeyValueStore(DecisionTopology.HOST_WATCH).all()) {
                all.forEachRemaining(entry -> mine.put(entry.key, entry.value));
            }
        }

        /** The detector's facts on the guest log since the last call (the decider's own outputs go elsewhere). */
        List<CloudEvent<?>> facts() {
            return guestLog.readValuesToList().stream().<CloudEvent<?>>map(codec::decode)
                    .filter(e -> HostDetector.SOURCE.equals(e.source())).toList();
        }

        List<TestRecord<String, byte[]>> deadLetters() {
            return deadLetters.readRecordsToList();
        }
    }

    /** Records of a partition by append time (ms after {@link #T0}); at one time, beats before the tick. */
    private final class Log {
        final TreeMap<Long, List<KeyValue<String, byte[]>>> records;

        Log() {
            this(new TreeMap<>());
        }

        private Log(TreeMap<Long, List<KeyValue<String, byte[]>>> records) {
            this.records = records;
        }

        /** {@code host} beats every 250 ms from {@code from} to {@code to} ms, both included. */
        Log beats(String host, long from, long to) {
            for (long at = from; at <= to; at += 250) {
                add(at, false, KeyValue.pair(host, hostBeat(host, T0.plusMillis(at))));
            }
            return this;
        }

        /** {@code host}'s supervisor says, at {@code at} ms, that it leaves. */
        Log leaves(String host, long at) {
            add(at, false, KeyValue.pair(host, codec.encode(new CloudEvent<>(UUID.randomUUID().toString(),
                    "/host/" + host + "/supervisor", T0.plusMillis(at), null, null, host, null, new HostLeaving(host)))));
            return this;
        }

        /** The detector's ticks every 100 ms from {@code from} to {@code to} ms, both included. */
        Log ticks(long from, long to) {
            for (long at = from; at <= to; at += 100) {
                add(at, true, KeyValue.pair(DetectorTick.key(0), tick(at)));
            }
            return this;
        }

        /** The records appended before {@code to} ms. */
        Log upTo(long to) {
            return new Log(new TreeMap<>(records.headMap(to, false)));
        }

        /** The records appended at or after {@code from} ms. */
        Log from(long from) {
            return new Log(new TreeMap<>(records.tailMap(from, true)));
        }

        private void add(long at, boolean tick, KeyValue<String, byte[]> record) {
            List<KeyValue<String, byte[]>> there = records.computeIfAbsent(at, t -> new ArrayList<>());
            int firstTick = (int) there.stream().takeWhile(r -> !r.key.startsWith("tick-")).count();
            there.add(tick ? there.size() : firstTick, record);
        }
    }

    /** Partition 0's tick written at {@code at} ms. */
    private byte[] tick(long at) {
        return codec.encode(new CloudEvent<>("tick-0-" + at, HostDetector.SOURCE, T0.plusMillis(at), null, null, null, null,
                new DetectorTick(0)));
    }

    private byte[] hostBeat(String host, Instant sent) {
        return codec.encode(new CloudEvent<>(UUID.randomUUID().toString(), "/host/" + host + "/supervisor", sent, null, null,
                host, null, new Heartbeat("host", host, List.of())));
    }
}
