package io.guestguard.policy.core;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The duplicate key's time text is exactly {@code Instant.toString()}'s, or stored keys would stop matching. */
class InstantTextTest {

    @Test
    void writesWhatInstantToStringWrites() {
        SplittableRandom random = new SplittableRandom(18);
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(-100_000_000_000L, 300_000_000_000L);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            assertThat(InstantText.of(instant)).isEqualTo(instant.toString());
        }
    }

    @Test
    void edgesOfTheFastWay() {
        for (Instant instant : List.of(Instant.EPOCH, Instant.ofEpochSecond(-1), Instant.ofEpochSecond(253_402_300_799L, 999_999_999),
                Instant.ofEpochSecond(253_402_300_800L), Instant.parse("2000-02-29T23:59:59.001Z"), Instant.parse("2100-03-01T00:00:00Z"),
                Instant.parse("2026-12-31T23:59:59.000001Z"), Instant.MAX, Instant.MIN)) {
            assertThat(InstantText.of(instant)).isEqualTo(instant.toString());
        }
    }
}
