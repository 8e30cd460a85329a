package io.guestguard.deploy.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The machine's busy share between two readings of {@code /proc/stat}. */
class MachineUsageTest {

    private static String stat(long user, long system, long idle, long iowait, long guest) {
        return """
                cpu  %d 0 %d %d %d 0 0 0 %d 0
                cpu0 1 0 1 1 0 0 0 0 0 0
                intr 12345
                """.formatted(user, system, idle, iowait, guest);
    }

    @Test
    void busyIsWhatIsNeitherIdleNorWaitingForIoAndGuestTimeIsNotCountedTwice() {
        MachineUsage before = MachineUsage.parse(stat(1000, 500, 8000, 500, 300));
        MachineUsage after = MachineUsage.parse(stat(1150, 550, 8040, 60 + 500, 900));

        assertThat(after.busyPercentSince(before)).as("200 busy ticks of 300").isCloseTo(66.7, within(0.1));
        assertThat(before.busyTicks()).isEqualTo(1500);
        assertThat(before.totalTicks()).isEqualTo(10000);
    }

    @Test
    void noTimePassedIsUnknownAndAPageWithoutTheCpuLineIsRefused() {
        MachineUsage same = MachineUsage.parse(stat(10, 10, 10, 10, 0));

        assertThat(same.busyPercentSince(same)).isEqualTo(-1);
        assertThat(same.busyPercentSince(new MachineUsage(0, 0))).as("since an unreadable reading, not since boot").isEqualTo(-1);
        assertThatThrownBy(() -> MachineUsage.parse("intr 1\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thisMachinesOwnStatReads() {
        MachineUsage now = MachineUsage.now();

        assertThat(now.totalTicks()).isPositive();
        assertThat(now.busyTicks()).isBetween(0L, now.totalTicks());
    }
}
