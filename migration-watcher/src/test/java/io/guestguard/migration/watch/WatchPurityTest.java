package io.guestguard.migration.watch;

import com.tngtech.archunit.lang.ArchRule;
import io.guestguard.protocol.testing.PurityRule;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.junit.jupiter.api.Test;

/**
 * The watcher's {@code watch/} stays pure, as policy-core's decider does and by the same rule
 * ({@link PurityRule}): {@link ContactWatcher} takes a fact and a time and returns effects, and the
 * Kafka Streams shell ({@code streams/}) does all the talking. Fails as soon as a class in
 * {@code io.guestguard.migration.watch} imports a framework, Kafka, a clock, randomness or I/O.
 */
class WatchPurityTest {

    static final ArchRule WATCH_IS_PURE = PurityRule.pure("io.guestguard.migration.watch",
            "the watcher's core is (watch, fact, time) -> (watch', effects); the Kafka Streams shell does the I/O");

    @Test
    void watchHasNoFrameworkClockRandomnessOrIo() {
        PurityRule.check(WATCH_IS_PURE, "io.guestguard.migration.watch", ContactWatcher.class);
    }

    @Test
    void theRuleCatchesAnImpureClass() {
        PurityRule.assertCatches(WATCH_IS_PURE, ImpureWatch.class, "java.lang.System.currentTimeMillis()",
                "org.apache.kafka.streams.processor.api.ProcessorContext");
    }

    /**
     * Lives in the watch package only in the test tree, to prove the rule bites: it reads the clock
     * and reaches into Kafka Streams, as a due check written in the wrong place would.
     */
    static final class ImpureWatch {
        long dueIn(ProcessorContext<?, ?> context, long dueMs) {
            context.currentStreamTimeMs();
            return dueMs - System.currentTimeMillis();
        }
    }
}
