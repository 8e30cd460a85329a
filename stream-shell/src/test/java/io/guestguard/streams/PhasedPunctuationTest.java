package io.guestguard.streams;

import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class PhasedPunctuationTest {

    /** A multiple of every interval below, in epoch milliseconds. */
    private static final long SLOT = 1_765_000_000_000L;

    private final MockProcessorContext<String, String> context = new MockProcessorContext<>();
    private final List<Long> ran = new ArrayList<>();

    @Test
    void looksSoonThenAtTheNextMultipleThenOncePerIntervalOnThatPhase() {
        schedule(Duration.ofMillis(100));
        punctuate(0, SLOT + 50);
        punctuate(1, SLOT + 104);

        assertThat(context.scheduledPunctuators()).extracting(CapturedPunctuator::getInterval, CapturedPunctuator::cancelled)
                .containsExactly(tuple(Duration.ofMillis(10), true), tuple(Duration.ofMillis(50), true),
                        tuple(Duration.ofMillis(100), false));
        assertThat(ran).containsExactly(SLOT + 50, SLOT + 104);
    }

    @Test
    void aLookTooLateAfterAMultipleRunsAndWaitsForTheNextMultipleToTakeItsPhase() {
        schedule(Duration.ofMillis(100));
        punctuate(0, SLOT + 50);
        punctuate(1, SLOT + 130);
        punctuate(2, SLOT + 203);

        assertThat(context.scheduledPunctuators()).extracting(CapturedPunctuator::getInterval, CapturedPunctuator::cancelled)
                .containsExactly(tuple(Duration.ofMillis(10), true), tuple(Duration.ofMillis(50), true),
                        tuple(Duration.ofMillis(70), true), tuple(Duration.ofMillis(100), false));
        assertThat(ran).containsExactly(SLOT + 50, SLOT + 130, SLOT + 203);
    }

    @Test
    void runsOncePerMultipleOnItsPhaseEvenWhenALateLookFallsInTheNext() {
        schedule(Duration.ofMillis(100));
        punctuate(0, SLOT + 95);
        punctuate(1, SLOT + 105);
        punctuate(2, SLOT + 205);
        punctuate(2, SLOT + 402); // the look due at 305 came late, after the next multiple
        punctuate(2, SLOT + 405); // then on its phase again, after that same multiple
        punctuate(2, SLOT + 505);
        assertThat(ran).containsExactly(SLOT + 95, SLOT + 105, SLOT + 205, SLOT + 402, SLOT + 505);
    }

    @Test
    void aLongerIntervalTakesItsPhaseWithinACommitIntervalAfterAMultiple() {
        schedule(Duration.ofSeconds(1));
        punctuate(0, SLOT + 600);
        punctuate(1, SLOT + 1_050); // within a tenth of the interval, not within 10 ms
        punctuate(2, SLOT + 2_009);

        assertThat(context.scheduledPunctuators()).extracting(CapturedPunctuator::getInterval, CapturedPunctuator::cancelled)
                .containsExactly(tuple(Duration.ofMillis(10), true), tuple(Duration.ofMillis(400), true),
                        tuple(Duration.ofMillis(950), true), tuple(Duration.ofSeconds(1), false));
        assertThat(ran).containsExactly(SLOT + 600, SLOT + 1_050, SLOT + 2_009);
    }

    @Test
    void refusesAnIntervalShorterThanAMillisecond() {
        assertThatThrownBy(() -> PhasedPunctuation.schedule(context, Duration.ofNanos(500), ran::add))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 ms");
    }

    private void schedule(Duration interval) {
        PhasedPunctuation.schedule(context, interval, ran::add);
    }

    private void punctuate(int scheduled, long now) {
        context.scheduledPunctuators().get(scheduled).getPunctuator().punctuate(now);
    }
}
