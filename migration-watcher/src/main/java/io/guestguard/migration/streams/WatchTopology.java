package io.guestguard.migration.streams;

import io.guestguard.migration.watch.ContactWatcher;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;

/**
 * The watcher's topology, wiring only: {@code guest-log.v1} and {@code heartbeats.v1} (both keyed by
 * guest, so they must have as many partitions) into {@link WatchProcessor}, which owns the per-guest
 * store; rebinds out to {@code guest-commands.v1}, {@code contact-lost} facts to {@code guest-log.v1},
 * what cannot be read to {@code dead-letter.v1}. With {@code exactly_once_v2}, a guest's new state and
 * what it caused commit together. With signatures on, every record read goes through the trust's gate
 * and every record written is signed with the watcher's key.
 */
public final class WatchTopology {

    public static final String STORE = "guest-watch";
    static final String GUEST_LOG = "guest-log";
    static final String HEARTBEATS = "heartbeats";
    static final String PROCESSOR = "watch";
    static final String REBINDS = "rebinds";
    static final String ESCALATIONS = "escalations";
    static final String DEAD_LETTER = "dead-letter";

    private WatchTopology() {
    }

    /** Signatures off: nothing signed or checked. */
    public static Topology build(Topics topics, ContactWatcher watcher, EventCodec codec, Duration checkEvery,
                                 WatchMetrics metrics) {
        return build(topics, watcher, codec, checkEvery, metrics, WatcherTrust.off(codec));
    }

    public static Topology build(Topics topics, ContactWatcher watcher, EventCodec codec, Duration checkEvery,
                                 WatchMetrics metrics, WatcherTrust trust) {
        return build(topics, watcher, codec, checkEvery, metrics, trust, true);
    }

    /** @param propagate whether rebinds and contact-lost facts carry a trace ({@link WatchTraces}) */
    public static Topology build(Topics topics, ContactWatcher watcher, EventCodec codec, Duration checkEvery,
                                 WatchMetrics metrics, WatcherTrust trust, boolean propagate) {
        var strings = Serdes.String();
        var bytes = Serdes.ByteArray();
        Topology topology = new Topology();
        topology.addSource(GUEST_LOG, strings.deserializer(), bytes.deserializer(), topics.guestLog());
        topology.addSource(HEARTBEATS, strings.deserializer(), bytes.deserializer(), topics.heartbeats());
        topology.addProcessor(PROCESSOR, () -> new WatchProcessor(watcher, codec, trust, topics.heartbeats(), checkEvery, metrics,
                new WatchTraces(propagate)), GUEST_LOG,
                HEARTBEATS);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), strings, bytes), PROCESSOR);
        topology.addSink(REBINDS, topics.guestCommands(), strings.serializer(), bytes.serializer(), PROCESSOR);
        topology.addSink(ESCALATIONS, topics.guestLog(), strings.serializer(), bytes.serializer(), PROCESSOR);
        topology.addSink(DEAD_LETTER, topics.deadLetter(), strings.serializer(), bytes.serializer(), PROCESSOR);
        return topology;
    }
}
