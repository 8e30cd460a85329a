package io.guestguard.host.supervisor;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a host supervisor knows of the rest of the fleet, to refuse a start that could make a second
 * runner: the newest placement of every guest (the engine's compacted {@code placements.v1}, read
 * from its beginning) and which guests other hosts said they run in their latest beat on
 * {@code host-heartbeats.v1} (read from its end, so only live beats count; the host-loss detector's
 * ticks there are skipped). One consumer, assigned every partition of both topics; committed records
 * only, as the engine writes placements in transactions.
 *
 * <p>Anyone may write to these topics, so nothing read stops the watch or grows it without end:
 * <ul>
 *   <li>A record that does not pass the {@link RecordGate} is skipped, counted, and logged at the
 *       1st, 2nd, 4th, 8th... time; dead-lettering it is the policy engine's job, whose readers of
 *       both topics do it (the watch only reads).</li>
 *   <li>At most {@code maxGuests} placements: the placement of one more guest is skipped (counted and
 *       logged), and from then on a start of a guest whose placement is unknown is refused
 *       ({@link #cannotVouchFor}), since it cannot be checked. A tombstone is skipped too: GuestGuard
 *       never deletes a placement, and a tombstone cannot be signed.</li>
 *   <li>At most {@code maxHosts} hosts' beats: at the bound, beats older than {@code beatLifetime}
 *       (which no longer count) make room; if none is that old, the new host's beat is skipped, and
 *       starts are refused for that long, since a second runner could not be ruled out.</li>
 *   <li>A failing poll (Kafka away) is logged and tried again after a pause; while it fails, the
 *       watch reports it ({@link #trouble}) and waiting for placements fails, so commands are retried
 *       rather than checked against an old picture.</li>
 * </ul>
 */
public final class FleetWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FleetWatch.class);
    private static final Duration TOPIC_WAIT = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Topics topics;
    private final RecordGate gate;
    private final Clock clock;
    private final int maxGuests;
    private final int maxHosts;
    private final Duration beatLifetime;
    private final Map<String, GuestPlacement> placements = new ConcurrentHashMap<>();
    private final Map<String, Beat> beats = new ConcurrentHashMap<>();
    /** Positions the poll thread has reached, for {@link #awaitPlacementsUpTo}. */
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    /** The poll's current failure, null while polls succeed. */
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final AtomicLong unreadable = new AtomicLong();
    private final AtomicLong placementsSkipped = new AtomicLong();
    private final AtomicLong beatsSkipped = new AtomicLong();
    /** When a host's beat was last skipped at the bound; -1 for never. */
    private volatile long lastBeatSkippedMs = -1;
    private long pollFailures;
    private final Thread thread;
    private volatile boolean running = true;
    private List<TopicPartition> placementPartitions = List.of();

    /** A host's latest beat: when it was received (this JVM's clock) and the guests it listed. */
    private record Beat(long receivedMs, List<String> guests) {
    }

    /**
     * @param maxGuests the most guests whose placement is kept
     * @param maxHosts the most hosts whose latest beat is kept
     * @param beatLifetime how old a beat may be and still count (the supervisor's peer timeout)
     */
    public FleetWatch(KafkaClientSettings kafka, Topics topics, String clientId, EventCodec codec, Clock clock,
                      int maxGuests, int maxHosts, Duration beatLifetime) {
        this(kafka, topics, clientId, new RecordGate(codec), clock, maxGuests, maxHosts, beatLifetime);
    }

    /** @param gate what each record read passes first: with trust on, it refuses what the engine (placements) or a host (beats) did not sign */
    public FleetWatch(KafkaClientSettings kafka, Topics topics, String clientId, RecordGate gate, Clock clock,
                      int maxGuests, int maxHosts, Duration beatLifetime) {
        this.consumer = new KafkaConsumer<>(kafka.with(Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.topics = topics;
        this.gate = gate;
        this.clock = clock;
        this.maxGuests = maxGuests;
        this.maxHosts = maxHosts;
        this.beatLifetime = beatLifetime;
        this.thread = new Thread(this::run, clientId + "-fleet-watch");
        this.thread.setDaemon(true);
    }

    /** Assigns both topics (waiting for them to exist) and starts reading. */
    public void start() {
        placementPartitions = partitions(topics.placements());
        List<TopicPartition> beatPartitions = partitions(topics.hostHeartbeats());
        List<TopicPartition> all = new ArrayList<>(placementPartitions);
        all.addAll(beatPartitions);
        consumer.assign(all);
        consumer.seekToBeginning(placementPartitions);
        consumer.seekToEnd(beatPartitions);
        all.forEach(p -> positions.put(p, consumer.position(p)));
        thread.start();
    }

    /** The newest placement the engine wrote for {@code guest}, if any. */
    public Optional<GuestPlacement> placement(String guest) {
        return Optional.ofNullable(placements.get(guest));
    }

    /** Every guest whose newest placement names {@code host} (any phase). */
    public Map<String, GuestPlacement> placementsOn(String host) {
        Map<String, GuestPlacement> on = new java.util.TreeMap<>();
        placements.forEach((guest, p) -> {
            if (host.equals(p.host())) {
                on.put(guest, p);
            }
        });
        return on;
    }

    /**
     * Every host's latest beat received within {@code fresh} (this JVM's clock): host to the guests
     * it listed, by host. What {@link io.guestguard.protocol.admission.StartAdmission} judges a
     * second runner by.
     */
    public Map<String, List<String>> liveBeats(Duration fresh) {
        long now = clock.millis();
        Map<String, List<String>> live = new java.util.TreeMap<>();
        beats.forEach((host, beat) -> {
            if (now - beat.receivedMs() <= fresh.toMillis()) {
                live.put(host, beat.guests());
            }
        });
        return live;
    }

    /**
     * Why a start of {@code guest} cannot be checked against the fleet, if it cannot: its placement
     * may be among those skipped at the {@code maxGuests} bound, or a host's beat was skipped at the
     * {@code maxHosts} bound within {@code fresh}, so the guest might run there.
     */
    public Optional<String> cannotVouchFor(String guest, Duration fresh) {
        if (placementsSkipped.get() > 0 && !placements.containsKey(guest)) {
            return Optional.of("the placement of " + guest + " is unknown: " + placementsSkipped.get() + " placement(s) "
                    + "were skipped beyond guestguard.host.max-guests (" + maxGuests + "); raise it and restart this supervisor");
        }
        if (beatSkippedWithin(fresh)) {
            return Optional.of("beats of more than guestguard.host.max-hosts (" + maxHosts + ") hosts arrive, so "
                    + "another host running " + guest + " cannot be ruled out");
        }
        return Optional.empty();
    }

    /** Why the watch's picture is incomplete or old, if it is: for the readiness check. */
    public Optional<String> trouble() {
        RuntimeException failed = failure.get();
        if (failed != null) {
            return Optional.of("fleet watch: reading placements and beats fails: " + failed);
        }
        if (placementsSkipped.get() > 0) {
            return Optional.of("fleet watch: " + placementsSkipped.get() + " placement(s) skipped beyond "
                    + "guestguard.host.max-guests (" + maxGuests + "); starts of guests with no known placement are refused");
        }
        if (beatSkippedWithin(beatLifetime)) {
            return Optional.of("fleet watch: beats of more than guestguard.host.max-hosts (" + maxHosts
                    + ") hosts; starts are refused meanwhile");
        }
        return Optional.empty();
    }

    private boolean beatSkippedWithin(Duration window) {
        long skipped = lastBeatSkippedMs;
        return skipped >= 0 && clock.millis() - skipped <= window.toMillis();
    }

    /** Placements kept, hosts' beats kept, records skipped as unreadable: for tests and health. */
    public record Size(int placements, int beats, long unreadable, long placementsSkipped, long beatsSkipped) {
    }

    public Size size() {
        return new Size(placements.size(), beats.size(), unreadable.get(), placementsSkipped.get(), beatsSkipped.get());
    }

    /**
     * Waits until a beat of {@code host} arrives that was received after this call, or
     * {@code timeout} passes: a beat is a snapshot, and a host that just stopped a guest says so in
     * its next one.
     *
     * @return whether a new beat came
     */
    public boolean awaitNextBeat(String host, Duration timeout) {
        long asked = clock.millis();
        return pollUntil(() -> beats.containsKey(host) && beats.get(host).receivedMs() > asked, timeout);
    }

    /**
     * Waits until every placement committed so far is read, so a check right after sees at least the
     * placement written with the command being applied (the engine writes both in one transaction).
     *
     * @return false if that took longer than {@code timeout}
     */
    public boolean awaitPlacementsUpTo(Duration timeout) {
        Map<TopicPartition, Long> ends;
        synchronized (consumer) {
            ends = consumer.endOffsets(placementPartitions, timeout);
        }
        return pollUntil(() -> ends.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue()),
                timeout);
    }

    /** Waits until {@code done}, which the poll thread brings about, or {@code timeout}; fails while its polls fail. */
    private boolean pollUntil(java.util.function.BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            RuntimeException failed = failure.get();
            if (failed != null) {
                throw new IllegalStateException("the fleet watch cannot read the fleet now: " + failed, failed);
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5); // the poll thread advances the positions and records the beats
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private List<TopicPartition> partitions(String topic) {
        long deadline = System.nanoTime() + TOPIC_WAIT.toNanos();
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " does not exist; create the fleet's topics first");
            }
            LOG.warnf("topic %s does not exist yet; waiting for it", topic);
        }
    }

    private void run() {
        while (running) {
            try {
                synchronized (consumer) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        take(record);
                    }
                    consumer.assignment().forEach(p -> positions.put(p, consumer.position(p)));
                }
                if (failure.getAndSet(null) != null) {
                    LOG.infof("fleet watch reads again after %d failed polls", pollFailures);
                    pollFailures = 0;
                }
                Thread.yield(); // let awaitPlacementsUpTo take the lock between polls
            } catch (WakeupException e) {
                return; // closing
            } catch (RuntimeException e) {
                failure.set(e);
                if (Long.bitCount(++pollFailures) == 1) {
                    LOG.errorf("fleet watch: polling failed %d time(s) in a row, trying again in 1 s: %s", pollFailures, e);
                }
                pause(Duration.ofSeconds(1));
            }
        }
    }

    /** Keeps what the record says, or skips it; nothing a record holds gets out of here. */
    private void take(ConsumerRecord<String, byte[]> record) {
        try {
            if (record.topic().equals(topics.placements())) {
                if (record.value() == null) {
                    // GuestGuard never deletes a placement, and a tombstone cannot be signed: forgetting
                    // one on anyone's word would let a start through that the placement forbids.
                    throw new RejectedRecordException("a tombstone: placements are never deleted");
                }
                keepPlacement(record.key(), gate.placement(record.key(), record.value(), record.headers()).data());
            } else {
                if (gate.hostHeartbeat(record.key(), record.value(), record.headers(), null).data() instanceof Heartbeat beat) {
                    keepBeat(beat.id(), beat.guests()); // not a detector's tick
                }
            }
        } catch (RuntimeException e) { // RejectedRecordException, or anything unforeseen: skip, never stop
            String reason = e instanceof RejectedRecordException rejected ? rejected.reason() : e.toString();
            long n = unreadable.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.warnf("fleet watch: skipping an unreadable record on %s-%d@%d (%d skipped so far): %s", record.topic(),
                        record.partition(), record.offset(), n, reason);
            }
        }
    }

    private void keepPlacement(String guest, GuestPlacement placement) {
        if (placements.size() >= maxGuests && !placements.containsKey(guest)) {
            long n = placementsSkipped.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.errorf("fleet watch: placements of more than guestguard.host.max-guests (%d) guests; skipped %s's "
                        + "(%d skipped so far); starts of guests with no known placement are refused", maxGuests, guest, n);
            }
            return;
        }
        placements.put(guest, placement);
    }

    private void keepBeat(String host, List<String> guests) {
        long now = clock.millis();
        if (beats.size() >= maxHosts && !beats.containsKey(host)) {
            beats.values().removeIf(b -> now - b.receivedMs() > beatLifetime.toMillis()); // they no longer count
            if (beats.size() >= maxHosts) {
                lastBeatSkippedMs = now;
                long n = beatsSkipped.incrementAndGet();
                if (Long.bitCount(n) == 1) {
                    LOG.errorf("fleet watch: beats of more than guestguard.host.max-hosts (%d) hosts within %d ms; "
                            + "skipped %s's (%d skipped so far); starts are refused meanwhile", maxHosts,
                            beatLifetime.toMillis(), host, n);
                }
                return;
            }
        }
        beats.put(host, new Beat(now, guests));
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis()); // retry pacing after a failed poll, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(2));
    }
}
