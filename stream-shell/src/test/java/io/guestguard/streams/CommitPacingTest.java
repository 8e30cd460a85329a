package io.guestguard.streams;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommitPacingTest {

    private final CommitPacing pacing = new CommitPacing();

    @Test
    void liveRecordsCommitAtOnce() {
        assertThat(pacing.due(1_000, 999)).isTrue();
        assertThat(pacing.due(1_002, 1_001)).isTrue();
        assertThat(pacing.due(1_005, 1_004)).isTrue();
    }

    @Test
    void aBacklogCommitsOnceTheTimeSinceTheLastCommitIsAsLongAsItsRecordsWaited() {
        assertThat(pacing.due(10_000, 9_999)).isTrue();
        // Records that waited 400 ms: no commit until 400 ms after the last one asked.
        assertThat(pacing.due(10_001, 9_601)).isFalse();
        assertThat(pacing.due(10_399, 9_999)).isFalse();
        assertThat(pacing.due(10_400, 10_000)).isTrue();
        assertThat(pacing.due(10_401, 10_001)).isFalse();
        // Caught up again: the next live record commits at once.
        assertThat(pacing.due(10_410, 10_409)).isTrue();
    }

    @Test
    void aClockBehindTheBrokersMakesRecordsLookLiveNeverLate() {
        assertThat(pacing.due(5_000, 5_050)).isTrue();
        assertThat(pacing.due(5_000, 5_050)).isTrue();
    }
}
