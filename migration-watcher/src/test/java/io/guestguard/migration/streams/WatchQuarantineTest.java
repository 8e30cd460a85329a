package io.guestguard.migration.streams;

import io.guestguard.migration.watch.ContactWatcher;
import io.guestguard.migration.watch.GuestWatch;
import io.guestguard.migration.watch.WatchSettings;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stored watch that cannot be read, or on which a check throws, is dead-lettered and the guest is
 * unknown again; the other guests' checks go on and the stream thread never stops.
 */
class WatchQuarantineTest {

    private static final long START = Instant.parse("2026-11-26T12:00:00Z").toEpochMilli();
    private static final Duration SILENCE = Duration.ofSeconds(5);
    private final EventCodec codec = new EventCodec();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
    private final KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(WatchTopology.STORE), Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
    private final WatchProcessor processor = new WatchProcessor(new ContactWatcher(new WatchSettings(Duration.ofSeconds(1), 3,
            Duration.ofSeconds(2), Duration.ofMinutes(1), SILENCE, Duration.ofSeconds(8))), codec, Topics.DEFAULT.heartbeats(),
            Duration.ofMillis(100), new WatchMetrics(registry));

    WatchQuarantineTest() {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        context.setCurrentSystemTimeMs(START);
    }

    @Test
    void watchesUnreadableAtStartOrThatACheckThrowsOnAreDeadLetteredAndTheOtherGuestsAreChecked() throws Exception {
        byte[] garbage = "{\"host\":".getBytes(StandardCharsets.UTF_8);
        store.put("g1", garbage);
        // Well-formed, but its check would rebind to a host name no command may carry.
        GuestWatch.Check check = new GuestWatch.Check("heartbeats-stopped", "no such/host", 1, 0, 0, 1, 0, "c1", false, 0);
        byte[] impossible = codec.mapper().writeValueAsBytes(new GuestWatch("h1", 1, true, null, 0, 0, 0, List.of(), check, -1));
        store.put("g2", impossible);
        store.put("g3", codec.mapper().writeValueAsBytes(new GuestWatch("h1", 1, true, null, 0, 0, 0, List.of(), null, -1)));
        processor.init(context);

        context.setCurrentSystemTimeMs(START + SILENCE.toMillis() + 1);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(START + SILENCE.toMillis() + 1);

        var dead = context.forwarded(WatchTopology.DEAD_LETTER);
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0).record().key()).isEqualTo("g1");
        assertThat(dead.get(0).record().value()).isEqualTo(garbage);
        assertThat(reason(dead.get(0).record())).startsWith("the stored watch of guest g1 was quarantined: it cannot be read");
        assertThat(dead.get(1).record().key()).isEqualTo("g2");
        assertThat(dead.get(1).record().value()).isEqualTo(impossible);
        assertThat(reason(dead.get(1).record())).startsWith("the stored watch of guest g2 was quarantined: a check on it failed");
        assertThat(store.get("g1")).isNull();
        assertThat(store.get("g2")).isNull();
        assertThat(context.forwarded(WatchTopology.REBINDS)).as("g3, silent since the start, is checked all the same")
                .singleElement().satisfies(r -> {
                    assertThat(r.record().key()).isEqualTo("g3");
                    assertThat(codec.decode(r.record().value()).data()).isInstanceOf(Rebind.class);
                });
        assertThat(registry.counter("guestguard.watcher.states.quarantined").count()).isEqualTo(2);
    }

    @Test
    void aWatchFoundUnreadableByAFactIsQuarantinedAndTheFactStartsItAgain() {
        processor.init(context);
        byte[] garbage = {(byte) 0xff, 0x00};
        store.put("g1", garbage);

        context.setRecordMetadata(Topics.DEFAULT.guestLog(), 0, 3);
        processor.process(new Record<>("g1", codec.encode(new CloudEvent<>("s1", "/host/h2/supervisor", Instant.ofEpochMilli(START),
                "g1", null, "h2", 2L, new GuestStarted("h2"))), START));

        assertThat(context.forwarded(WatchTopology.DEAD_LETTER)).singleElement()
                .satisfies(d -> assertThat(d.record().value()).isEqualTo(garbage));
        GuestWatch watch = codec.mapper().convertValue(readTree(store.get("g1")), GuestWatch.class);
        assertThat(watch.host()).as("the fact establishes the watch again").isEqualTo("h2");
        assertThat(watch.running()).isTrue();
    }

    private com.fasterxml.jackson.databind.JsonNode readTree(byte[] bytes) {
        try {
            return codec.mapper().readTree(bytes);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String reason(Record<?, ?> record) {
        return new String(record.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8);
    }
}
