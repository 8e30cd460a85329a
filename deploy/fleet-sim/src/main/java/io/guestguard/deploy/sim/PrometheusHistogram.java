package io.guestguard.deploy.sim;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One timer's histogram as a service's Prometheus page shows it ({@code _count}, {@code _sum} in
 * seconds, cumulative {@code _bucket}s by upper bound), summed over the series whose labels hold a
 * given text. Two readings of the same page subtract, so a phase of the simulation gets its own
 * figures from counters that grow for the whole run.
 *
 * @param count      observations
 * @param sumSeconds their sum
 * @param buckets    cumulative counts by upper bound in seconds ({@code +Inf} as infinity)
 */
record PrometheusHistogram(double count, double sumSeconds, SortedMap<Double, Double> buckets) {

    static final PrometheusHistogram EMPTY = new PrometheusHistogram(0, 0, Collections.emptySortedMap());

    /** {@code series} on {@code page}, only its lines whose labels contain {@code labels} ("" for all); empty if absent. */
    static PrometheusHistogram of(String page, String series, String labels) {
        double count = 0;
        double sum = 0;
        SortedMap<Double, Double> buckets = new TreeMap<>();
        for (String line : page.lines().toList()) {
            if (!line.startsWith(series + "_") || !line.contains(labels)) {
                continue;
            }
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            if (line.startsWith(series + "_count")) {
                count += value;
            } else if (line.startsWith(series + "_sum")) {
                sum += value;
            } else if (line.startsWith(series + "_bucket{")) {
                int le = line.indexOf("le=\"") + 4;
                String bound = line.substring(le, line.indexOf('"', le));
                buckets.merge(bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound), value, Double::sum);
            }
        }
        return new PrometheusHistogram(count, sum, buckets);
    }

    /** Both histograms' observations: several instances of one service. */
    PrometheusHistogram plus(PrometheusHistogram other) {
        return combine(other, 1);
    }

    /** The observations made since {@code earlier}, a reading of the same series before this one. */
    PrometheusHistogram minus(PrometheusHistogram earlier) {
        return combine(earlier, -1);
    }

    private PrometheusHistogram combine(PrometheusHistogram other, int sign) {
        SortedMap<Double, Double> merged = new TreeMap<>(buckets);
        other.buckets.forEach((bound, value) -> merged.merge(bound, sign * value, Double::sum));
        return new PrometheusHistogram(count + sign * other.count, sumSeconds + sign * other.sumSeconds, merged);
    }

    /** The mean in milliseconds, 0 without observations. */
    long meanMs() {
        return count <= 0 ? 0 : Math.round(sumSeconds * 1000 / count);
    }

    /** The upper bound in milliseconds of the bucket that holds the p99, -1 without observations or buckets. */
    long p99BoundMs() {
        double wanted = Math.ceil(0.99 * count);
        for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
            if (count > 0 && bucket.getValue() >= wanted) {
                return bucket.getKey().isInfinite() ? Long.MAX_VALUE : Math.round(bucket.getKey() * 1000);
            }
        }
        return -1;
    }

    /** "mean 12 ms, p99 <= 25 ms over 80", as the simulator prints it. */
    @Override
    public String toString() {
        long p99 = p99BoundMs();
        return String.format(Locale.ROOT, "mean %d ms, p99 <= %s over %.0f", meanMs(),
                p99 < 0 ? "unknown" : p99 == Long.MAX_VALUE ? "+Inf" : p99 + " ms", count);
    }
}
