package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The engine's topology, wiring only: {@code guest-log.v1} into {@link DecideProcessor} (which owns
 * the per-guest state store), and its three outputs into the commands, decisions and dead-letter
 * topics. With {@code exactly_once_v2} the state change and all outputs of one fact commit together.
 */
public final class DecisionTopology {

    public static final String STATE_STORE = "guest-state";
    static final String SOURCE = "guest-log";
    static final String PROCESSOR = "decide";
    static final String COMMANDS = "commands";
    static final String DECISIONS = "decisions";
    static final String DEAD_LETTER = "dead-letter";

    private DecisionTopology() {
    }

    public static Topology build(Topics topics, Decider decider, EventCodec codec) {
        var strings = Serdes.String();
        var bytes = Serdes.ByteArray();
        Topology topology = new Topology();
        topology.addSource(SOURCE, strings.deserializer(), bytes.deserializer(), topics.guestLog());
        topology.addProcessor(PROCESSOR, () -> new DecideProcessor(decider, codec, topics.guestLog()), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), strings, bytes), PROCESSOR);
        topology.addSink(COMMANDS, topics.guestCommands(), strings.serializer(), bytes.serializer(), PROCESSOR);
        topology.addSink(DECISIONS, topics.decisions(), strings.serializer(), bytes.serializer(), PROCESSOR);
        topology.addSink(DEAD_LETTER, topics.deadLetter(), strings.serializer(), bytes.serializer(), PROCESSOR);
        return topology;
    }
}
