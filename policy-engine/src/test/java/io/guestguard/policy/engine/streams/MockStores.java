package io.guestguard.policy.engine.streams;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** The engine's stores in memory, for a processor tested on a {@link MockProcessorContext}. */
final class MockStores {

    private MockStores() {
    }

    /** A store called {@code name}, added to {@code context}: what the topology would give the processor. */
    static KeyValueStore<String, byte[]> add(MockProcessorContext<?, ?> context, String name) {
        return add(context, name, Serdes.ByteArray());
    }

    /** The same, with values of another type. */
    static <V> KeyValueStore<String, V> add(MockProcessorContext<?, ?> context, String name, Serde<V> values) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }
}
