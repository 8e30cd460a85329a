package io.guestguard.policy.core;

import io.guestguard.policy.core.RecentFacts.Seen;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RecentFacts} keeps and forgets exactly what the plain rule says (the latest
 * {@value RecentFacts#MAX_FACTS}, none older than the horizon), whether its times are in order (the
 * arrays copied in one piece) or not (a state written by other means), and finds exactly the keys it
 * holds.
 */
class RecentFactsTest {

    @Test
    void keepsWhatThePlainRuleKeepsInOrderOrNot() {
        SplittableRandom random = new SplittableRandom(18);
        for (int run = 0; run < 2_000; run++) {
            List<Seen> start = new ArrayList<>();
            long clockMs = 1_764_158_400_000L + random.nextLong(0, RecentFacts.HORIZON_MS);
            boolean outOfOrder = run % 2 == 1;
            long atS = (clockMs - 2 * RecentFacts.HORIZON_MS) / 1000;
            for (int i = random.nextInt(0, 80); i > 0; i--) {
                atS = outOfOrder ? clockMs / 1000 - random.nextLong(0, 2 * RecentFacts.HORIZON_MS / 1000)
                        : atS + random.nextLong(0, 200);
                start.add(new Seen(key(random), Math.min(atS, clockMs / 1000), random.nextBoolean() ? null : random.nextLong(1, 99)));
            }
            RecentFacts facts = new RecentFacts(start);
            List<Seen> expected = new ArrayList<>(start);
            for (int step = 0; step < 100; step++) {
                clockMs += random.nextInt(4) == 0 ? random.nextLong(0, RecentFacts.HORIZON_MS / 4) : random.nextLong(0, 5_000);
                String key = key(random);
                Long seq = random.nextBoolean() ? null : random.nextLong(1, 99);

                facts = facts.with(key, seq, clockMs);
                expected = plainRule(expected, key, seq, clockMs);

                assertThat(facts.facts()).isEqualTo(expected);
                assertThat(facts).isEqualTo(new RecentFacts(expected));
                for (Seen seen : expected) {
                    assertThat(facts.containsKey(seen.key())).isTrue();
                }
                assertThat(facts.containsKey(key(random))).isFalse();
            }
        }
    }

    /** The rule as it was written before the arrays: keep those within the horizon, then the latest. */
    private static List<Seen> plainRule(List<Seen> facts, String key, Long seq, long clockMs) {
        long oldest = (clockMs - RecentFacts.HORIZON_MS) / 1000;
        List<Seen> next = new ArrayList<>(facts.stream().filter(f -> f.atS() >= oldest).toList());
        next.add(new Seen(key, clockMs / 1000, seq));
        return new ArrayList<>(next.subList(Math.max(0, next.size() - RecentFacts.MAX_FACTS), next.size()));
    }

    private static String key(SplittableRandom random) {
        return String.format("%016x", random.nextLong());
    }
}
