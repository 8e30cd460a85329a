package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fact's commands ask for the transaction to commit at once, since their reader sees nothing before
 * the commit: at once for a live fact, less often the longer a backlog's facts waited (the rule is
 * {@code CommitPacing}'s, stream-shell); facts that command nothing wait for the commit interval. The
 * deadline ticks the decider reads back ask for their commit at once too.
 */
class CommandCommitTest {

    private static final long NOW = Instant.parse("2026-12-07T15:00:00Z").toEpochMilli();

    private final EventCodec codec = new EventCodec();
    private final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
    private final DecideProcessor processor = new DecideProcessor(new Decider(new RestartLimit(5)), codec);

    @BeforeEach
    void init() {
        for (String name : new String[] {DecisionTopology.STATE_STORE, DecisionTopology.PACKAGE_STORE,
                DecisionTopology.PLACEMENTS_VIEW, DecisionTopology.DEADLINES_STORE}) {
            MockStores.add(context, name);
        }
        processor.init(context);
        context.setCurrentSystemTimeMs(NOW);
    }

    @Test
    void aRestartForALiveFailureAsksForACommit() {
        process(failure("f1", 10), NOW - 3);

        assertThat(context.forwarded(DecisionTopology.GUEST_COMMANDS)).as("the restart").hasSize(1);
        assertThat(context.committed()).isTrue();
    }

    @Test
    void aBacklogsRestartsAskOnceTheTimeSinceTheLastAskedIsAsLongAsTheirFactsWaited() {
        process(failure("f1", 10), NOW - 5_000);
        assertThat(context.committed()).as("the first: nothing asked before").isTrue();
        context.resetCommit();

        context.setCurrentSystemTimeMs(NOW + 10);
        process(failure("f2", 11), NOW - 4_990);
        assertThat(context.committed()).as("10 ms after the last asked, for a fact that waited 5 s").isFalse();

        context.setCurrentSystemTimeMs(NOW + 5_000);
        process(failure("f3", 12), NOW);
        assertThat(context.forwarded(DecisionTopology.GUEST_COMMANDS)).as("three restarts").hasSize(3);
        assertThat(context.committed()).as("5 s after the last asked, for a fact that waited 5 s").isTrue();
    }

    @Test
    void aFactAppendedAfterTheEnginesClockSaysNowLooksLive() {
        // An engine clock behind the broker's: the fact's commands are not held back for it.
        process(failure("f1", 10), NOW + 2);

        assertThat(context.forwarded(DecisionTopology.GUEST_COMMANDS)).hasSize(1);
        assertThat(context.committed()).isTrue();
    }

    @Test
    void aLiveFactThatCommandsNothingWaitsForTheInterval() {
        process(failure("f1", 10), NOW - 1);
        context.resetForwards();
        context.resetCommit();

        process(CloudEvent.ofGuest("s1", "/guest/g1/reporter", Instant.ofEpochMilli(NOW), "g1", new AppStarted("app1", 11L)),
                NOW - 1);

        assertThat(context.forwarded(DecisionTopology.DEAD_LETTER)).as("decided, not refused").isEmpty();
        assertThat(context.forwarded(DecisionTopology.GUEST_COMMANDS)).isEmpty();
        assertThat(context.committed()).isFalse();
    }

    @Test
    void aDeadlineReachedAsksForItsCommitAtOnce() {
        var dueAt = MockStores.add(new MockProcessorContext<>(), "deadlines", Serdes.Long());
        var ticks = new DeadlineTicks(context, dueAt, EngineTrust.off(codec).engine());
        dueAt.put("g1", NOW + 1_000);

        ticks.tick(NOW);
        assertThat(context.forwarded(DecisionTopology.DEADLINE_FACTS)).as("not due yet").isEmpty();
        assertThat(context.committed()).isFalse();

        ticks.tick(NOW + 1_000);
        assertThat(context.forwarded(DecisionTopology.DEADLINE_FACTS)).as("the deadline's fact").hasSize(1);
        assertThat(context.committed()).as("the decider reads it only once committed").isTrue();
    }

    private void process(CloudEvent<? extends Fact> fact, long appendedMs) {
        context.setRecordMetadata("guestguard.guest-log.v1", 0, 7);
        processor.process(new Record<>("g1", codec.encode(fact), appendedMs));
    }

    private static CloudEvent<AppFailed> failure(String id, long pid) {
        return CloudEvent.ofGuest(id, "/guest/g1/reporter", Instant.ofEpochMilli(NOW), "g1", AppFailed.exited("app1", pid, 3));
    }
}
