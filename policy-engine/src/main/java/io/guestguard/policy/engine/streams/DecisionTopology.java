package io.guestguard.policy.engine.streams;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import io.guestguard.policy.core.Decider;
import io.guestguard.protocol.DetectorTick;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.jboss.logging.Logger;

/**
 * The engine's topology, wiring only: {@code guest-log.v1} into {@link DecideProcessor} (which owns
 * the per-guest state store and the store of guests waiting for a deadline), and its outputs into the
 * guest-commands, host-commands, decisions, placements, packages and dead-letter topics, and its
 * {@code deadline.reached} facts back into the guest log. With {@code exactly_once_v2} the state
 * change and all outputs of one fact commit together. A second sub-topology, the {@link HostDetector},
 * reads {@code host-heartbeats.v1} (host beats and its own ticks, never the guests' beats) and writes
 * host-loss facts to the guest log. A global store follows {@code placements.v1}: the fleet-wide view
 * (guests per host) that {@code min_package_node} needs, and where the detector finds the guests of
 * a host whose heartbeats stopped; its updater keeps a count of guests per host beside it
 * ({@link GuestsPerHost}), which {@code min_package_node} reads. Given an {@link EngineTrust} with signatures on, every record read
 * goes through its gate and every record written is signed (the engine's key, or the detector's).
 */
public final class DecisionTopology {

    public static final String STATE_STORE = "guest-state";
    /** Each guest's package as last applied, from which a quarantined state is rebuilt. */
    public static final String PACKAGE_STORE = "guest-packages";
    public static final String PLACEMENTS_VIEW = "placements-view";
    static final String SOURCE = "guest-log";
    static final String PROCESSOR = "decide";
    static final String GUEST_COMMANDS = "guest-commands";
    static final String HOST_COMMANDS = "host-commands";
    static final String DECISIONS = "decisions";
    static final String PLACEMENTS = "placements";
    static final String PACKAGES = "packages";
    static final String DEAD_LETTER = "dead-letter";
    static final String HOST_WATCH = "host-watch";
    static final String HOST_HEARTBEATS = "host-heartbeats";
    static final String HOST_DETECTOR = "host-detector";
    static final String DETECTED_FACTS = "detected-facts";
    static final String TICKS = "ticks";
    /** Guests waiting for a deadline of their decider, and when it is due (see {@link DeadlineTicks}). */
    public static final String DEADLINES_STORE = "guest-deadlines";
    static final String DEADLINE_FACTS = "deadline-facts";
    /** How often, by the wall clock, the engine looks for guests whose deadline has come. */
    static final Duration DEADLINE_CHECK = Duration.ofSeconds(1);

    /**
     * When a host counts as lost: no beat for {@code timeout}, checked by a tick every
     * {@code checkEvery}; after its supervisor said it leaves, no beat for {@code detachTimeout}
     * either, and then it is reported lost {@linkplain io.guestguard.protocol.HostLost#afterLeaving() after
     * leaving} (the decider holds its guests and alerts) unless {@code failOverAfterDetach}; at most {@code maxHostsPerPartition} hosts per partition of
     * {@code host-heartbeats.v1} (a beat from one more is dead-lettered). With hosts beating every
     * 250 ms, the defaults decide a failover within about 1.1 s of the last beat.
     */
    public record HostDetection(Duration timeout, Duration checkEvery, Duration detachTimeout, boolean failOverAfterDetach,
                                int maxHostsPerPartition) {
        public static final int DEFAULT_MAX_HOSTS_PER_PARTITION = 4096;
        public static final Duration DEFAULT_DETACH_TIMEOUT = Duration.ofMinutes(10);
        public static final HostDetection DEFAULT = new HostDetection(Duration.ofSeconds(1), Duration.ofMillis(100));

        /**
         * @throws IllegalArgumentException naming the setting, unless {@code 0 < checkEvery < timeout}
         *         and {@code detachTimeout >= 0}
         */
        public HostDetection {
            if (checkEvery.isNegative() || checkEvery.isZero() || checkEvery.compareTo(timeout) >= 0) {
                throw new IllegalArgumentException("guestguard.policy.host-check-interval (" + checkEvery + ") must be "
                        + "positive and shorter than guestguard.policy.host-timeout (" + timeout + "), e.g. 100ms and 1s");
            }
            if (detachTimeout.isNegative()) {
                throw new IllegalArgumentException("guestguard.policy.detach-timeout (" + detachTimeout + ") must not be "
                        + "negative; 0 makes a stopped supervisor's host lost as a killed one's, e.g. 10m");
            }
            if (maxHostsPerPartition < 1) {
                throw new IllegalArgumentException("the most hosts per partition must be at least 1, not " + maxHostsPerPartition);
            }
        }

        public HostDetection(Duration timeout, Duration checkEvery) {
            this(timeout, checkEvery, DEFAULT_DETACH_TIMEOUT);
        }

        public HostDetection(Duration timeout, Duration checkEvery, Duration detachTimeout) {
            this(timeout, checkEvery, detachTimeout, false, DEFAULT_MAX_HOSTS_PER_PARTITION);
        }

        /** The most a gap between two ticks counts: two check intervals. */
        long capMs() {
            return 2 * checkEvery.toMillis();
        }

        /** How long a partition must receive nothing at all for a pause: half a timeout, two check intervals at least. */
        long pauseAfterMs() {
            return Math.max(capMs(), timeout.toMillis() / 2);
        }
    }

    private DecisionTopology() {
    }

    public static Topology build(Topics topics, Decider decider, EventCodec codec) {
        return build(topics, decider, codec, HostDetection.DEFAULT);
    }

    /** Signatures off: nothing signed or checked (the benchmarks, and a fleet without keys). */
    public static Topology build(Topics topics, Decider decider, EventCodec codec, HostDetection detection) {
        return build(topics, decider, codec, detection, EngineTrust.off(codec));
    }

    /** The topology that reads through {@code trust}'s gate and signs with its keys, its meters read by nobody. */
    public static Topology build(Topics topics, Decider decider, EventCodec codec, HostDetection detection, EngineTrust trust) {
        return build(topics, decider, codec, detection, trust, EngineMetrics.none());
    }

    /** The topology that reads through {@code trust}'s gate, signs with its keys, and counts its decisions in {@code metrics}. */
    public static Topology build(Topics topics, Decider decider, EventCodec codec, HostDetection detection, EngineTrust trust,
                                 EngineMetrics metrics) {
        return build(topics, decider, codec, detection, trust, metrics, EngineTracing.DEFAULT);
    }

    /** As above, with what the engine does about traces ({@link EngineTracing}). */
    public static Topology build(Topics topics, Decider decider, EventCodec codec, HostDetection detection, EngineTrust trust,
                                 EngineMetrics metrics, EngineTracing tracing) {
        var strings = Serdes.String();
        var bytes = Serdes.ByteArray();
        Topology topology = new Topology();
        GuestsPerHost guestsPerHost = new GuestsPerHost();
        topology.addSource(SOURCE, strings.deserializer(), bytes.deserializer(), topics.guestLog());
        topology.addProcessor(PROCESSOR, () -> new DecideProcessor(decider, codec, trust, metrics, tracing, guestsPerHost), SOURCE);
        // Cached: a guest's state goes to RocksDB and its changelog once per commit, however many of its
        // facts the commit holds, not once per fact (the cache is flushed before every commit).
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), strings, bytes)
                .withCachingEnabled(), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PACKAGE_STORE), strings, bytes)
                .withCachingEnabled(), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEADLINES_STORE), strings,
                Serdes.Long()).withCachingEnabled(), PROCESSOR);
        // Time for the decider: deadline.reached facts back onto the guest log (DeadlineTicks).
        topology.addSink(DEADLINE_FACTS, topics.guestLog(), strings.serializer(), bytes.serializer(), PROCESSOR);
        topology.addSink(GUEST_COMMANDS, topics.guestCommands(), strings.serializer(), bytes.serializer(), PROCESSOR);
        topology.addSink(HOST_COMMANDS, topics.hostCommands(), strings.serializer(), bytes.serializer(), PROCESSOR);
        topology.addSink(DECISIONS, topics.decisions(), strings.serializer(), bytes.serializer(), PROCESSOR);
        topology.addSink(PLACEMENTS, topics.placements(), strings.serializer(), bytes.serializer(), PROCESSOR);
        topology.addSink(PACKAGES, topics.packages(), strings.serializer(), bytes.serializer(), PROCESSOR);
        // The host-loss detector: host beats and its own ticks in (never the guests' beats), host.lost /
        // host.available facts out to the guest log, each tick back into the partition it was read from.
        topology.addSource(HOST_HEARTBEATS, strings.deserializer(), bytes.deserializer(), topics.hostHeartbeats());
        topology.addProcessor(HOST_DETECTOR, () -> new HostDetector(trust, detection, tracing, metrics.beatAges()), HOST_HEARTBEATS);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HOST_WATCH), strings, bytes),
                HOST_DETECTOR);
        topology.addSink(DETECTED_FACTS, topics.guestLog(), strings.serializer(), bytes.serializer(), HOST_DETECTOR);
        topology.addSink(TICKS, topics.hostHeartbeats(), strings.serializer(), bytes.serializer(),
                (topic, key, value, partitions) -> Optional.of(Set.of(DetectorTick.partitionOf(key))), HOST_DETECTOR);
        topology.addSink(DEAD_LETTER, topics.deadLetter(), strings.serializer(), bytes.serializer(), PROCESSOR, HOST_DETECTOR);
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PLACEMENTS_VIEW), strings, bytes)
                        .withLoggingDisabled(), "placements-source", strings.deserializer(), bytes.deserializer(),
                topics.placements(), "placements-view-updater", () -> new ViewUpdater(trust.placements(), trust.gate(), guestsPerHost));
        return topology;
    }

    /**
     * Keeps the global placements view: each guest's newest placement the gate accepts. A record it
     * refuses (forged, unsigned, unreadable) does not replace the one before, which would hide the guest
     * from a host-loss scan; a tombstone is ignored, since GuestGuard never deletes a placement and a
     * tombstone cannot be signed. This is the store's only writer: Kafka Streams (since 3.7, KAFKA-7663)
     * restores a global store through its processor too, so the view holds only what the gate accepted
     * and its readers do not verify signatures again ({@link VerifiedPlacements#read}).
     */
    private static final class ViewUpdater implements Processor<String, byte[], Void, Void> {
        private static final Logger LOG = Logger.getLogger(ViewUpdater.class);

        private final VerifiedPlacements verified;
        private final RecordGate gate;
        private final GuestsPerHost guestsPerHost;
        private KeyValueStore<String, byte[]> view;
        private long skipped;

        ViewUpdater(VerifiedPlacements verified, RecordGate gate, GuestsPerHost guestsPerHost) {
            this.verified = verified;
            this.gate = gate;
            this.guestsPerHost = guestsPerHost;
        }

        /**
         * Counts the view as the store holds it (what was kept on disk), before any record is processed or
         * restored; once per engine: Kafka Streams initialises an updater for the restore, then another.
         */
        @Override
        public void init(ProcessorContext<Void, Void> context) {
            view = context.getStateStore(PLACEMENTS_VIEW);
            guestsPerHost.countOnce(new PlacementsView(view, verified)::forEach);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null || record.value() == null) {
                // A store refuses a null key, and the global thread would die of it.
                skipped(record.key(), record.key() == null ? "it has no key" : "a tombstone");
                return;
            }
            try {
                // Kept as structured mode, whichever mode it came in: the view keeps values, not headers.
                byte[] value = gate.structured(record.value(), record.headers());
                GuestPlacement placement = verified.accept(record.key(), value);
                view.put(record.key(), value);
                guestsPerHost.placed(record.key(), placement);
            } catch (RejectedRecordException e) {
                skipped(record.key(), e.reason());
            }
        }

        /** Logged at the 1st, 2nd, 4th, 8th... time: a flood of forgeries does not flood the log. */
        private void skipped(String guest, String reason) {
            if (Long.bitCount(++skipped) == 1) {
                LOG.warnf("placements view: a record for %s ignored, the placement before kept (%d ignored so far): %s",
                        guest, skipped, reason);
            }
        }
    }
}
