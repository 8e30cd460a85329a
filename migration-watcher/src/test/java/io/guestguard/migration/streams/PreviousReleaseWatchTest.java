package io.guestguard.migration.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.migration.watch.ContactWatcher;
import io.guestguard.migration.watch.GuestWatch;
import io.guestguard.migration.watch.WatchSettings;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.streams.StoredFormat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watches the previous release (commit 2c204a2, {@code src/test/resources/compat/2c204a2}, written by
 * that release's own code: see the README there) stored are read by this one, which checks the guests
 * as that release did: a watcher of this release takes over from one of the previous release during a
 * rolling upgrade. A watch of a format newer than this release's is quarantined, not misread.
 */
class PreviousReleaseWatchTest {

    private static final String RELEASE = "/compat/2c204a2/";
    private final EventCodec codec = new EventCodec();
    private final StoredFormat<GuestWatch> format = new StoredFormat<>(codec.mapper(), GuestWatch.class, GuestWatch.FORMAT);

    @Test
    void theStoredWatchesOfThePreviousReleaseAreCheckedAsThatReleaseDid() {
        assertThat(new String(resource("g1.watch.json"), StandardCharsets.UTF_8)).as("written before formats").doesNotContain("\"format\"");
        for (JsonNode probe : lines("probes.jsonl")) {
            Watcher watcher = new Watcher(probe.get("start").asLong(), Map.of("g1", resource("g1.watch.json"), "g2", resource("g2.watch.json")));

            probe.get("steps").forEach(watcher::step);

            assertThat(watcher.written()).as(probe.get("name").asText()).isEqualTo(written(probe.get("written")));
            assertThat(watcher.context.forwarded(WatchTopology.DEAD_LETTER)).isEmpty();
        }
    }

    @Test
    void theSameFactsBuildTheSameWatchesInThisRelease() throws IOException {
        List<JsonNode> history = lines("records.jsonl");
        Watcher watcher = new Watcher(history.get(0).get("timestamp").asLong(), Map.of());
        history.stream().filter(r -> r.get("topic").asText().equals(Topics.DEFAULT.guestLog()))
                .forEach(r -> watcher.step(codec.mapper().createObjectNode().set("fact", r)));

        assertThat(watcher.written()).isEqualTo(written(history.stream().filter(r -> !r.get("topic").asText().equals(Topics.DEFAULT.guestLog())).toList()));
        assertThat(format.read(watcher.store.get("g1"))).isEqualTo(format.read(resource("g1.watch.json")));
        assertThat(format.read(watcher.store.get("g2"))).isEqualTo(format.read(resource("g2.watch.json")));
        assertThat(codec.mapper().readTree(watcher.store.get("g1")).get("format").intValue()).isEqualTo(GuestWatch.FORMAT);
    }

    @Test
    void aWatchOfANewerFormatIsQuarantinedNotMisread() throws IOException {
        ObjectNode newer = codec.mapper().createObjectNode().put("format", GuestWatch.FORMAT + 1);
        newer.setAll((ObjectNode) codec.mapper().readTree(resource("g1.watch.json")));
        newer.put("paused", true); // what format 2 might know
        byte[] bytes = codec.mapper().writeValueAsBytes(newer);
        JsonNode probe = lines("probes.jsonl").get(0);
        Watcher watcher = new Watcher(probe.get("start").asLong(), Map.of("g1", bytes, "g2", resource("g2.watch.json")));

        watcher.step(probe.get("steps").get(0));

        var dead = watcher.context.forwarded(WatchTopology.DEAD_LETTER);
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.record().value()).isEqualTo(bytes);
            assertThat(new String(d.record().headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
                    .startsWith("the stored watch of guest g1 was quarantined: it cannot be read: it is in format 2, newer than format 1");
        });
        assertThat(watcher.store.get("g1")).as("unknown again until its next facts").isNull();
        assertThat(watcher.store.get("g2")).isNotNull();
    }

    /** A watcher of this release on a mocked context, started at {@code start} on {@code stored} watches. */
    private final class Watcher {
        final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
        final KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(WatchTopology.STORE),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        final WatchProcessor processor = new WatchProcessor(new ContactWatcher(WatchSettings.DEFAULT), codec, Topics.DEFAULT.heartbeats(),
                Duration.ofMillis(500), new WatchMetrics(new SimpleMeterRegistry()));
        private long offset;

        Watcher(long start, Map<String, byte[]> stored) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
            context.setCurrentSystemTimeMs(start);
            context.setCurrentStreamTimeMs(start);
            stored.forEach(store::put);
            processor.init(context);
        }

        /** {@code {"fact": record}} or {@code {"tick": ms}}, as the fixtures' producer played them. */
        void step(JsonNode step) {
            if (step.has("tick")) {
                long now = step.get("tick").asLong();
                context.setCurrentSystemTimeMs(now);
                context.scheduledPunctuators().get(0).getPunctuator().punctuate(now);
                return;
            }
            JsonNode fact = step.get("fact");
            long now = fact.get("timestamp").asLong();
            context.setCurrentSystemTimeMs(now);
            context.setCurrentStreamTimeMs(now);
            context.setRecordMetadata(fact.get("topic").asText(), 0, offset++);
            processor.process(new Record<>(fact.get("key").asText(), bytes(fact.get("value")), now));
        }

        /**
         * What it wrote: sink, key, timestamp and decoded event of each record, without the trace the
         * previous release did not write (each record checked to carry one first).
         */
        List<List<Object>> written() {
            List<List<Object>> written = new ArrayList<>();
            context.forwarded().forEach(f -> {
                CloudEvent<?> event = codec.decode(f.record().value());
                assertThat(event.traceparent()).as("the trace of %s", event.id()).isNotNull();
                written.add(List.of(f.childName().orElseThrow(), f.record().key(), f.record().timestamp(), event.withTraceparent(null)));
            });
            return written;
        }
    }

    private List<List<Object>> written(Iterable<JsonNode> lines) {
        List<List<Object>> written = new ArrayList<>();
        lines.forEach(l -> written.add(List.of(l.get("topic").asText(), l.get("key").asText(), l.get("timestamp").asLong(),
                codec.decode(bytes(l.get("value"))))));
        return written;
    }

    private List<JsonNode> lines(String name) {
        return new String(resource(name), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).map(l -> {
            try {
                return codec.mapper().readTree(l);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    private byte[] bytes(JsonNode node) {
        try {
            return codec.mapper().writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = PreviousReleaseWatchTest.class.getResourceAsStream(RELEASE + name)) {
            assertThat(in).as(RELEASE + name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
