package io.guestguard.host.messaging;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The supervisor's liveness by its beats, on a clock the test moves: silent before the first, DOWN past the bound. */
class BeatPulseTest {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final BeatPulse pulse = new BeatPulse(Duration.ofSeconds(10), nanos::get);

    @Test
    void saysNothingBeforeTheFirstBeatHoweverLongThatTakes() {
        nanos.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(pulse.trouble()).isEmpty();
    }

    @Test
    void isTroubledOnceTheLastBeatIsTheBoundOldAndWellAgainAtTheNextBeat() {
        pulse.beat();
        nanos.addAndGet(Duration.ofMillis(9_999).toNanos());
        assertThat(pulse.trouble()).isEmpty();
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(pulse.trouble()).hasValueSatisfying(why -> assertThat(why)
                .contains("no host beat made for 10000 ms").contains("guestguard.host.live-beat-timeout"));
        pulse.beat();
        assertThat(pulse.trouble()).isEmpty();
    }

    @Test
    void refusesABoundThatIsNotPositive() {
        assertThatThrownBy(() -> new BeatPulse(Duration.ZERO, nanos::get)).hasMessageContaining("live-beat-timeout");
    }
}
