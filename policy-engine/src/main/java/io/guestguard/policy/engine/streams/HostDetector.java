package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostAvailable;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * The host-loss detector: turns a host's stopped heartbeats into {@code host.lost} facts, one for
 * each guest placed on that host, and its first beat after that into {@code host.available} facts,
 * on {@code guest-log.v1}, where the decider fails the guests over or brings them back.
 *
 * <ol>
 *   <li>Each host beat (keyed by host) records the wall-clock time it was read, in the store
 *       {@code host-liveness}.</li>
 *   <li>Every {@code checkEvery} of wall-clock time, a host whose last beat is {@code timeout} old or
 *       more is marked lost, once, and a {@code host.lost} fact goes to every guest whose placement
 *       (the global placements view) occupies that host.</li>
 *   <li>A beat from a host marked lost marks it alive and sends {@code host.available} to the guests
 *       told of its loss (wherever they run now: each still counts the host out), the guests placed
 *       on it and those waiting for any host.</li>
 * </ol>
 * A restarted detector gives every host a full timeout before judging it by beats from before its
 * start. The wall clock is the stream thread's ({@link ProcessorContext#currentSystemTimeMs()}), so a
 * silent host is noticed whether or not other hosts beat; heartbeats from guests are skipped. Fact
 * ids derive from the host and the beat they follow, so a detector that restarts and detects the
 * same loss again writes the same ids, which the decider drops.
 */
final class HostDetector implements Processor<String, byte[], String, byte[]> {

    static final String SOURCE = "/policy-engine/host-detector";

    private final EventCodec codec;
    private final Duration timeout;
    private final Duration checkEvery;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> liveness;
    private KeyValueStore<String, byte[]> placements;
    /** When this detector first looked (-1 before): a beat remembered from before counts as no older than that. */
    private long startedAt = -1;

    HostDetector(EventCodec codec, Duration timeout, Duration checkEvery) {
        this.codec = codec;
        this.timeout = timeout;
        this.checkEvery = checkEvery;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.liveness = context.getStateStore(DecisionTopology.HOST_LIVENESS);
        this.placements = context.getStateStore(DecisionTopology.PLACEMENTS_VIEW);
        context.schedule(checkEvery, PunctuationType.WALL_CLOCK_TIME, this::check);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        CloudEvent<?> event;
        try {
            event = codec.decode(record.value());
            if (!(event.data() instanceof Heartbeat beat)) {
                throw new RejectedRecordException("type " + event.type() + " is not a heartbeat");
            }
            if (!beat.role().equals("host")) {
                return; // guest beats are the migration watcher's
            }
        } catch (RejectedRecordException e) {
            RecordMetadata origin = context.recordMetadata().orElseThrow();
            context.forward(new Record<>(record.key(), record.value(), record.timestamp(), DeadLetter.headers(e.reason(),
                    origin.topic(), origin.partition(), origin.offset(), "policy-engine")), DecisionTopology.DEAD_LETTER);
            return;
        }
        long now = context.currentSystemTimeMs();
        started(now);
        byte[] before = liveness.get(record.key());
        liveness.put(record.key(), encode(now, false, Set.of()));
        if (before != null && lost(before)) {
            // Those told of the loss (they may run elsewhere by now and still count the host out),
            // the guests placed on it, and those waiting for any host.
            String host = record.key();
            Set<String> told = told(before);
            tell(now, (guest, p) -> told.contains(guest) || host.equals(p.host()) || p.phase().equals("WAITING")
                    ? fact("host-available-" + host + "-" + now + "-" + guest, now, guest, new HostAvailable(host)) : null);
        }
    }

    private void check(long now) {
        started(now);
        Map<String, Long> silent = new HashMap<>(); // host -> its last beat
        try (KeyValueIterator<String, byte[]> hosts = liveness.all()) {
            hosts.forEachRemaining(entry -> {
                long lastBeat = ByteBuffer.wrap(entry.value).getLong();
                if (!lost(entry.value) && now - Math.max(lastBeat, startedAt) >= timeout.toMillis()) {
                    silent.put(entry.key, lastBeat);
                }
            });
        }
        if (silent.isEmpty()) {
            return;
        }
        // One pass over the placements for every host lost at once (a rack that fails together).
        Map<String, Set<String>> told = new HashMap<>();
        silent.keySet().forEach(host -> told.put(host, new TreeSet<>()));
        tell(now, (guest, p) -> {
            if (!p.occupiesHost() || !silent.containsKey(p.host())) {
                return null;
            }
            told.get(p.host()).add(guest);
            return fact("host-lost-" + p.host() + "-" + silent.get(p.host()) + "-" + guest, now, guest, new HostLost(p.host()));
        });
        silent.forEach((host, lastBeat) -> liveness.put(host, encode(lastBeat, true, told.get(host))));
    }

    /**
     * Notes when this detector first worked. After an engine outage the remembered beats are old, and
     * the hosts' beats sent meanwhile are still to be read: judged by the old ones, the whole fleet
     * would be lost at once.
     */
    private void started(long now) {
        if (startedAt < 0) {
            startedAt = now;
        }
    }

    /** Sends every guest of the placements view the fact {@code factFor} gives it, if any. */
    private void tell(long now, BiFunction<String, GuestPlacement, CloudEvent<Fact>> factFor) {
        try (KeyValueIterator<String, byte[]> guests = placements.all()) {
            guests.forEachRemaining(entry -> {
                if (codec.decode(entry.value).data() instanceof GuestPlacement p) {
                    CloudEvent<Fact> event = factFor.apply(entry.key, p);
                    if (event != null) {
                        context.forward(new Record<>(entry.key, codec.encode(event), now), DecisionTopology.DETECTED_FACTS);
                    }
                }
            });
        }
    }

    private static CloudEvent<Fact> fact(String id, long now, String guest, Fact fact) {
        return CloudEvent.ofGuest(id, SOURCE, Instant.ofEpochMilli(now), guest, fact);
    }

    /**
     * A host's entry in {@code host-liveness}: its last beat (8 bytes), whether it is lost (1 byte),
     * then the guests told of its loss, newline-separated UTF-8 (absent in entries written before).
     */
    static byte[] encode(long lastBeatMs, boolean lost, Set<String> told) {
        byte[] guests = String.join("\n", told).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(9 + guests.length).putLong(lastBeatMs).put((byte) (lost ? 1 : 0)).put(guests).array();
    }

    private static Set<String> told(byte[] value) {
        if (value.length <= 9) {
            return Set.of();
        }
        return Set.of(new String(value, 9, value.length - 9, StandardCharsets.UTF_8).split("\n"));
    }

    private static boolean lost(byte[] value) {
        return value[8] == 1;
    }
}
