package io.guestguard.deploy.sim;

import java.util.Collection;
import java.util.Locale;

/** p50, p99 and max of a set of durations in ms, for the report. */
record Percentiles(int count, long p50, long p99, long max) {

    static Percentiles of(Collection<Long> millis) {
        long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return new Percentiles(0, 0, 0, 0);
        }
        return new Percentiles(sorted.length, at(sorted, 0.50), at(sorted, 0.99), sorted[sorted.length - 1]);
    }

    private static long at(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
    }

    @Override
    public String toString() {
        return count == 0 ? "none" : String.format(Locale.ROOT, "p50 %d ms, p99 %d ms, max %d ms (%d)", p50, p99, max, count);
    }
}
