package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command decided on a live fact commits at once, since its reader sees nothing before the commit; a
 * backlog's commands, and facts that command nothing, wait for the commit interval.
 */
class LiveCommandCommitTest {

    private static final long NOW = Instant.parse("2026-12-07T15:00:00Z").toEpochMilli();
    private static final long INTERVAL_MS = 10;

    private final EventCodec codec = new EventCodec();
    private final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>(config());
    private final DecideProcessor processor = new DecideProcessor(new Decider(new RestartLimit(5)), codec);

    @BeforeEach
    void init() {
        for (String name : new String[] {DecisionTopology.STATE_STORE, DecisionTopology.PACKAGE_STORE,
                DecisionTopology.PLACEMENTS_VIEW, DecisionTopology.DEADLINES_STORE}) {
            KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                    Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        processor.init(context);
        context.setCurrentSystemTimeMs(NOW);
    }

    @Test
    void aRestartForAFailureAppendedWithinTheCommitIntervalAsksForACommit() {
        process(failure("f1", 10), NOW - 3);

        assertThat(context.forwarded(DecisionTopology.GUEST_COMMANDS)).as("the restart").hasSize(1);
        assertThat(context.committed()).isTrue();
    }

    @Test
    void aRestartForAFailureOfABacklogWaitsForTheInterval() {
        process(failure("f1", 10), NOW - INTERVAL_MS);
        process(failure("f2", 11), NOW - 5_000);

        assertThat(context.forwarded(DecisionTopology.GUEST_COMMANDS)).as("both restarts").hasSize(2);
        assertThat(context.committed()).isFalse();
    }

    @Test
    void aFactAppendedAfterTheEnginesClockSaysNowIsNotTakenForLive() {
        // An engine clock behind the broker's: no fact counts as live, whatever its age.
        process(failure("f1", 10), NOW + 2);

        assertThat(context.forwarded(DecisionTopology.GUEST_COMMANDS)).hasSize(1);
        assertThat(context.committed()).isFalse();
    }

    @Test
    void aLiveFactThatCommandsNothingWaitsForTheInterval() {
        process(failure("f1", 10), NOW - INTERVAL_MS);
        context.resetForwards();
        context.resetCommit();

        process(CloudEvent.ofGuest("s1", "/guest/g1/reporter", Instant.ofEpochMilli(NOW), "g1", new AppStarted("app1", 11L)),
                NOW - 1);

        assertThat(context.forwarded(DecisionTopology.DEAD_LETTER)).as("decided, not refused").isEmpty();
        assertThat(context.forwarded(DecisionTopology.GUEST_COMMANDS)).isEmpty();
        assertThat(context.committed()).isFalse();
    }

    private void process(CloudEvent<? extends Fact> fact, long appendedMs) {
        context.setRecordMetadata("guestguard.guest-log.v1", 0, 7);
        processor.process(new Record<>("g1", codec.encode(fact), appendedMs));
    }

    private static CloudEvent<AppFailed> failure(String id, long pid) {
        return CloudEvent.ofGuest(id, "/guest/g1/reporter", Instant.ofEpochMilli(NOW), "g1", AppFailed.exited("app1", pid, 3));
    }

    private static Properties config() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-command-commit-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(INTERVAL_MS));
        return config;
    }
}
