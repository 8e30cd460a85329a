package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostAvailable;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.Ids;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

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
 *       {@code host-liveness}, and the watching clock (below) then, in memory.</li>
 *   <li>Every {@code checkEvery} of wall-clock time, a host whose last beat was read {@code timeout}
 *       or more ago on the watching clock is marked lost, once, and a {@code host.lost} fact goes
 *       to every guest whose placement
 *       (the global placements view) occupies that host.</li>
 *   <li>A beat from a host marked lost marks it alive and sends {@code host.available} to the guests
 *       told of its loss (wherever they run now: each still counts the host out), the guests placed
 *       on it and those waiting for any host.</li>
 * </ol>
 * Silence is counted on a watching clock: wall time, but a gap between two looks counts as at most
 * two check intervals. A gap means the stream thread stopped (an engine outage, a long commit, a
 * starved machine), and the beats sent meanwhile may still be unread; so a restarted detector gives
 * every host a full timeout before judging it, and a stalled one does not count its stall. A
 * detector that read a host's last beat late (it fell behind its input) waits that much longer, up
 * to one more timeout, since the host's next beats are as late. The wall clock is the stream
 * thread's ({@link ProcessorContext#currentSystemTimeMs()}), so a silent host is noticed whether or
 * not other hosts beat; heartbeats from guests are skipped. Fact ids derive from the host and the
 * beat they follow, so a detector that restarts and detects the same loss again writes the same
 * ids, which the decider drops.
 */
final class HostDetector implements Processor<String, byte[], String, byte[]> {

    static final String SOURCE = "/policy-engine/host-detector";
    private static final Logger LOG = Logger.getLogger(HostDetector.class);

    private final EventCodec codec;
    private final RecordGate gate;
    private final Duration timeout;
    private final Duration checkEvery;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> liveness;
    private KeyValueStore<String, byte[]> placements;
    /**
     * The watching clock (ms): wall time from this detector's first look, each gap between two looks
     * (a beat read, a check) counted up to two check intervals, so a stall of the stream thread does
     * not count.
     */
    private long watched;
    /** When the watching clock was last read (-1 before the first look). */
    private long lastLook = -1;
    /** Each host's last beat read by this detector; a host without one is judged from the first look. */
    private final Map<String, Read> lastRead = new HashMap<>();

    /** A beat as read: the watching clock then, and how long after its sending (host clock) it was read. */
    private record Read(long watchedAt, long delayMs) {
    }

    HostDetector(EventCodec codec, Duration timeout, Duration checkEvery) {
        this.codec = codec;
        this.gate = new RecordGate(codec);
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
            event = gate.heartbeat(record.key(), record.value());
            if (!((Heartbeat) event.data()).role().equals("host")) {
                return; // guest beats are the migration watcher's
            }
        } catch (RejectedRecordException e) {
            RecordMetadata origin = context.recordMetadata().orElseThrow();
            context.forward(new Record<>(record.key(), record.value(), record.timestamp(), DeadLetter.headers(e.reason(),
                    origin.topic(), origin.partition(), origin.offset(), "policy-engine")), DecisionTopology.DEAD_LETTER);
            return;
        }
        long now = context.currentSystemTimeMs();
        lastRead.put(record.key(), new Read(watching(now), now - record.timestamp()));
        byte[] before = liveness.get(record.key());
        liveness.put(record.key(), encode(now, false, Set.of()));
        if (before != null && lost(before)) {
            // Those told of the loss (they may run elsewhere by now and still count the host out),
            // the guests placed on it, and those waiting for any host.
            String host = record.key();
            Set<String> told = told(before);
            tell(now, (guest, p) -> told.contains(guest) || host.equals(p.host()) || p.phase().equals("WAITING")
                    ? fact(Ids.derive("host-available-", host + "-" + now + "-" + guest, ""), now, guest, new HostAvailable(host)) : null);
        }
    }

    private void check(long now) {
        long gap = lastLook < 0 ? 0 : now - lastLook;
        long clock = watching(now);
        if (gap >= Math.max(timeout.toMillis() / 2, 2 * checkEvery.toMillis())) {
            LOG.warnf("host-loss check %d ms after the detector last ran (checks are due every %d ms): the engine "
                    + "stalled, and the beats sent meanwhile may be unread; %d ms of it count as silence", gap,
                    checkEvery.toMillis(), 2 * checkEvery.toMillis());
        }
        Map<String, Long> silent = new HashMap<>(); // host -> its last beat
        try (KeyValueIterator<String, byte[]> hosts = liveness.all()) {
            hosts.forEachRemaining(entry -> {
                Read read = lastRead.get(entry.key); // none: a beat remembered from before this detector started
                long silence = clock - (read == null ? 0 : read.watchedAt());
                long behind = read == null ? 0 : behind(read);
                if (!lost(entry.value) && silence >= timeout.toMillis() + behind) {
                    long lastBeat = ByteBuffer.wrap(entry.value).getLong();
                    LOG.infof("host %s is lost: silent for %d ms of watching (%d ms of wall time since its last beat "
                            + "was read, %s; waited %d ms more for beats read that late)", entry.key, silence,
                            now - lastBeat, read == null ? "before this detector started"
                                    : "which was sent " + read.delayMs() + " ms before", behind);
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
            return fact(Ids.derive("host-lost-", p.host() + "-" + silent.get(p.host()) + "-" + guest, ""), now, guest, new HostLost(p.host()));
        });
        silent.forEach((host, lastBeat) -> liveness.put(host, encode(lastBeat, true, told.get(host))));
    }

    /**
     * How far behind this host's beats the detector was when it read the last one: from its sending
     * (the host's clock) to its reading (the engine's), at most a timeout. The next beats are that
     * late too, so the silence must last that much longer before the host counts as lost. (A host
     * clock behind the engine's adds its skew, a few ms where clocks are synchronised.)
     */
    private long behind(Read read) {
        return Math.max(0, Math.min(timeout.toMillis(), read.delayMs()));
    }

    /**
     * Reads the watching clock at {@code now}. After an engine outage or a stall of its stream thread
     * the beats sent meanwhile may still be unread: counted in wall time, that silence would make
     * every host lost at once, or whichever host's beats happen to be fetched last.
     */
    private long watching(long now) {
        if (lastLook >= 0) {
            watched += Math.min(now - lastLook, 2 * checkEvery.toMillis());
        }
        lastLook = now;
        return watched;
    }

    /** Sends every guest of the placements view the fact {@code factFor} gives it, if any. */
    private void tell(long now, BiFunction<String, GuestPlacement, CloudEvent<Fact>> factFor) {
        try (KeyValueIterator<String, byte[]> guests = placements.all()) {
            guests.forEachRemaining(entry -> {
                GuestPlacement p;
                try {
                    p = gate.placement(entry.key, entry.value).data();
                } catch (RejectedRecordException e) {
                    LOG.warnf("placements view: skipping the unreadable placement of %s: %s", entry.key, e.reason());
                    return;
                }
                CloudEvent<Fact> event = factFor.apply(entry.key, p);
                if (event != null) {
                    context.forward(new Record<>(entry.key, codec.encode(event), now), DecisionTopology.DETECTED_FACTS);
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
