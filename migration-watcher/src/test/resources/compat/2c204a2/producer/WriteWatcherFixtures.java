package io.guestguard.migration.streams;

import io.guestguard.migration.watch.ContactWatcher;
import io.guestguard.migration.watch.WatchSettings;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the watcher's compatibility fixtures with the code of the release it is copied into (see the
 * README next to this file): two guests' stored watches (one in a contact check after a live
 * migration, with a gap in its reporter's numbers; one in a migration), the facts that made them, and
 * "probes": a watcher started on those stored watches, fed facts and clock ticks, with everything it wrote.
 */
class WriteWatcherFixtures {

    static final long T0 = Instant.parse("2026-11-26T12:00:00Z").toEpochMilli();
    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private int ids;

    @Test
    void write() throws Exception {
        Path out = Path.of(System.getProperty("compat.out"));
        Watcher history = new Watcher(T0);
        List<String> records = new ArrayList<>();
        records.add(history.fact(T0, "g1", host("g1", "h1", 1L, new GuestStarted("h1"), T0)));
        records.add(history.fact(T0 + 100, "g1", reporter("g1", 1L, "h1", 1L, new AppStarted("app1", 11L), T0 + 100)));
        records.add(history.fact(T0 + 200, "g1", reporter("g1", 2L, "h1", 1L, new AppStarted("app2", 12L), T0 + 200)));
        records.add(history.fact(T0 + 300, "g1", reporter("g1", 4L, "h1", 1L, new AppStarted("app4", 14L), T0 + 300)));
        records.add(history.fact(T0 + 400, "g1", host("g1", "h1", 1L, new MigrationStarted("h1", "h2"), T0 + 400)));
        records.add(history.fact(T0 + 700, "g1", host("g1", "h2", 1L, new MigrationCompleted("h1", "h2"), T0 + 700)));
        records.add(history.fact(T0 + 800, "g2", host("g2", "h3", 3L, new GuestStarted("h3"), T0 + 800)));
        records.add(history.fact(T0 + 900, "g2", host("g2", "h3", 3L, new MigrationStarted("h3", "h4"), T0 + 900)));
        history.written().forEach(records::add);
        Files.write(out.resolve("g1.watch.json"), history.store.get("g1"));
        Files.write(out.resolve("g2.watch.json"), history.store.get("g2"));
        Files.writeString(out.resolve("records.jsonl"), String.join("\n", records) + "\n");

        long start = T0 + 1_000;
        List<String> probes = new ArrayList<>();
        // 1. Nothing comes: g1's check sends its rebinds, then says contact is lost; g2's migration times out.
        List<String> steps = new ArrayList<>();
        Watcher silent = Watcher.on(history, start);
        for (long at = start; at <= start + 150_000; at += 500) {
            steps.add(silent.tick(at));
        }
        probes.add(probe("nothing comes: rebinds, contact lost, a migration that never completes", start, steps, silent));
        // 2. g1's reporter answers, resends the fact of the gap and beats; g2's migration completes.
        steps = new ArrayList<>();
        Watcher answered = Watcher.on(history, start);
        // The reporter numbers its answer: 5, the last number it assigned; it resends 3, the one read above the gap.
        steps.add(step(answered.fact(start + 100, "g1", reporter("g1", 5L, "h2", 2L, new Rebound("mc-g1-6:rebind-1", "h2", 2, 6, 1, false), start + 100))));
        steps.add(step(answered.fact(start + 200, "g1", reporter("g1", 3L, "h2", 2L, new AppStarted("app3", 13L), start + 200))));
        steps.add(step(answered.fact(start + 300, "g2", host("g2", "h4", 3L, new MigrationCompleted("h3", "h4"), start + 300))));
        for (long at = start + 500; at <= start + 6_000; at += 500) {
            steps.add(answered.tick(at));
        }
        probes.add(probe("g1's reporter answers and fills the gap; g2's migration completes", start, steps, answered));
        Files.writeString(out.resolve("probes.jsonl"), String.join("\n", probes) + "\n");
    }

    private static String step(String fact) {
        return "{\"fact\":" + fact + "}";
    }

    private static String probe(String name, long start, List<String> steps, Watcher watcher) {
        return "{\"name\":\"" + name + "\",\"start\":" + start + ",\"steps\":[" + String.join(",", steps) + "],\"written\":["
                + String.join(",", watcher.written()) + "]}";
    }

    private CloudEvent<?> host(String guest, String host, Long epoch, Payload data, long at) {
        return new CloudEvent<>(idFor("mc-" + guest), "/host/" + host + "/supervisor", Instant.ofEpochMilli(at), guest, null, host, epoch, data);
    }

    private CloudEvent<?> reporter(String guest, Long seq, String host, Long epoch, Payload data, long at) {
        return new CloudEvent<>(idFor("rep-" + guest), "/guest/" + guest + "/reporter", Instant.ofEpochMilli(at), guest, seq, host, epoch, data);
    }

    private String idFor(String prefix) {
        return prefix + "-" + ++ids;
    }

    /** A watcher on a mocked context, its store kept across probes. */
    final class Watcher {
        final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
        final KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(WatchTopology.STORE),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        final WatchProcessor processor = new WatchProcessor(new ContactWatcher(WatchSettings.DEFAULT), codec, topics.heartbeats(),
                Duration.ofMillis(500), new WatchMetrics(new SimpleMeterRegistry()));
        private long offset;

        Watcher(long now) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
            context.setCurrentSystemTimeMs(now);
            context.setCurrentStreamTimeMs(now);
        }

        /** A watcher started at {@code now} on the stored watches of {@code from}. */
        static Watcher on(Watcher from, long now) {
            Watcher next = from.outer().new Watcher(now);
            try (var all = from.store.all()) {
                all.forEachRemaining(e -> next.store.put(e.key, e.value));
            }
            next.processor.init(next.context);
            return next;
        }

        WriteWatcherFixtures outer() {
            return WriteWatcherFixtures.this;
        }

        String fact(long now, String guest, CloudEvent<?> fact) {
            if (offset == 0 && context.scheduledPunctuators().isEmpty()) {
                processor.init(context);
            }
            context.setCurrentSystemTimeMs(now);
            context.setCurrentStreamTimeMs(now); // both topics are stamped by the broker on append
            context.setRecordMetadata(topics.guestLog(), 0, offset++);
            byte[] value = codec.encode(fact);
            processor.process(new Record<>(guest, value, now));
            return line(topics.guestLog(), guest, now, value);
        }

        String tick(long now) {
            context.setCurrentSystemTimeMs(now);
            context.scheduledPunctuators().get(0).getPunctuator().punctuate(now);
            return "{\"tick\":" + now + "}";
        }

        List<String> written() {
            List<String> lines = new ArrayList<>();
            context.forwarded().forEach(f -> lines.add(line(f.childName().orElseThrow(), f.record().key(),
                    f.record().timestamp(), f.record().value())));
            return lines;
        }
    }

    /** One record: its topic (or sink), key, timestamp and value (the value's JSON as written, byte for byte). */
    static String line(String topic, String key, long timestamp, byte[] value) {
        return "{\"topic\":\"" + topic + "\",\"key\":\"" + key + "\",\"timestamp\":" + timestamp + ",\"value\":"
                + new String(value, StandardCharsets.UTF_8) + "}";
    }
}
