package io.guestguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guestguard.bench.Mixes.Mix;
import io.guestguard.policy.core.GuestState;
import io.guestguard.streams.StoredFormat;
import io.guestguard.protocol.EventCodec;
import org.apache.kafka.common.record.DefaultRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one guest's state costs, as the engine stores it: the state JSON with its format (the engine's
 * mapper and {@link StoredFormat}, as {@code DecideProcessor} writes it to its store) of long-lived guests built by the real decider
 * ({@link Mixes#guestsWithHistory}), per application; which fields the bytes go to; and the
 * record that carries it on the store's changelog topic (key = guest id, value = the same bytes,
 * no headers, no compression: Kafka Streams' defaults).
 */
final class StateBenchmark {

    /**
     * @param guests   guests built
     * @param apps     applications per guest
     * @param failures application failures in each guest's history
     * @param seed     the fleet's seed
     */
    record Options(int guests, int apps, int failures, long seed) {
    }

    /**
     * @param guests          guests measured
     * @param apps            applications per guest
     * @param stateBytes      mean state JSON bytes per guest
     * @param minStateBytes   smallest guest's
     * @param maxStateBytes   largest guest's
     * @param bytesByField    mean bytes per guest of each top-level field (name, value and comma)
     * @param keyBytes        mean changelog key bytes (the guest id)
     * @param changelogRecord mean changelog record bytes: key, value and Kafka's record framing
     */
    record Result(int guests, int apps, double stateBytes, int minStateBytes, int maxStateBytes,
                  Map<String, Double> bytesByField, double keyBytes, double changelogRecord) {
        double bytesPerApplication() {
            return stateBytes / apps;
        }
    }

    private StateBenchmark() {
    }

    static Result run(Options options, PrintStream out) {
        Mix mix = Mixes.guestsWithHistory(options.guests(), options.apps(), options.failures(), options.seed());
        out.println("guests: " + mix.summary());
        ObjectMapper mapper = new EventCodec().mapper();
        StoredFormat<GuestState> stored = new StoredFormat<>(mapper, GuestState.class, GuestState.FORMAT);
        long total = 0;
        long keys = 0;
        long records = 0;
        int min = Integer.MAX_VALUE;
        int max = 0;
        Map<String, Double> byField = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, GuestState> guest : mix.states().entrySet()) {
                byte[] value = stored.write(guest.getValue());
                byte[] key = guest.getKey().getBytes(StandardCharsets.UTF_8);
                total += value.length;
                keys += key.length;
                min = Math.min(min, value.length);
                max = Math.max(max, value.length);
                // offsetDelta and timestampDelta as in a batch of a few hundred records.
                records += DefaultRecord.sizeInBytes(200, 50, ByteBuffer.wrap(key), ByteBuffer.wrap(value), new org.apache.kafka.common.header.Header[0]);
                JsonNode tree = mapper.readTree(value);
                for (Map.Entry<String, JsonNode> field : tree.properties()) {
                    int bytes = mapper.writeValueAsBytes(field.getKey()).length + 1 + mapper.writeValueAsBytes(field.getValue()).length + 1;
                    byField.merge(field.getKey(), (double) bytes, Double::sum);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize a guest's state", e);
        }
        int n = mix.states().size();
        Map<String, Double> meanByField = new LinkedHashMap<>();
        byField.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> meanByField.put(e.getKey(), e.getValue() / n));
        Result result = new Result(n, options.apps(), (double) total / n, min, max, meanByField, (double) keys / n,
                (double) records / n);
        out.printf(Locale.ROOT, "state JSON per guest: mean %,.0f bytes (min %,d, max %,d) for %d applications: %,.0f bytes "
                + "per application%n", result.stateBytes(), min, max, options.apps(), result.bytesPerApplication());
        List<String> parts = meanByField.entrySet().stream().filter(e -> e.getValue() >= 1)
                .map(e -> String.format(Locale.ROOT, "%s %,.0f (%.0f%%)", e.getKey(), e.getValue(),
                        100 * e.getValue() / result.stateBytes())).toList();
        out.println("  bytes by field, per guest: " + String.join(", ", parts));
        out.printf(Locale.ROOT, "changelog record per guest: %,.0f bytes (key %,.0f + value %,.0f + record framing %,.0f), "
                        + "uncompressed; every fact rewrites it%n", result.changelogRecord(), result.keyBytes(), result.stateBytes(),
                result.changelogRecord() - result.keyBytes() - result.stateBytes());
        return result;
    }
}
