package io.guestguard.host.supervisor;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
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
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a host supervisor knows of the rest of the fleet, to refuse a start that could make a second
 * runner: the newest placement of every guest (the engine's compacted {@code placements.v1}, read
 * from its beginning) and which guests other hosts said they run in their latest beat on
 * {@code host-heartbeats.v1} (read from its end, so only live beats count; the host-loss detector's
 * ticks there are skipped). One consumer, assigned every partition of both topics; committed records
 * only, as the engine writes placements in transactions.
 */
public final class FleetWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FleetWatch.class);
    private static final Duration TOPIC_WAIT = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Topics topics;
    private final RecordGate gate;
    private final Clock clock;
    private final Map<String, GuestPlacement> placements = new ConcurrentHashMap<>();
    private final Map<String, Beat> beats = new ConcurrentHashMap<>();
    /** Positions the poll thread has reached, for {@link #awaitPlacementsUpTo}. */
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;
    private List<TopicPartition> placementPartitions = List.of();

    /** A host's latest beat: when it was received (this JVM's clock) and the guests it listed. */
    private record Beat(long receivedMs, List<String> guests) {
    }

    public FleetWatch(String bootstrapServers, Topics topics, String clientId, EventCodec codec, Clock clock) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.topics = topics;
        this.gate = new RecordGate(codec);
        this.clock = clock;
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
     * A host other than {@code self} whose latest beat, received within {@code fresh}, lists
     * {@code guest} as running there.
     */
    public Optional<String> runningElsewhere(String guest, String self, Duration fresh) {
        long now = clock.millis();
        return beats.entrySet().stream()
                .filter(e -> !e.getKey().equals(self))
                .filter(e -> now - e.getValue().receivedMs() <= fresh.toMillis())
                .filter(e -> e.getValue().guests().contains(guest))
                .map(Map.Entry::getKey).sorted().findFirst();
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

    /** Waits until {@code done}, which the poll thread brings about, or {@code timeout}; fails if that thread stopped. */
    private boolean pollUntil(java.util.function.BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            RuntimeException failed = failure.get();
            if (failed != null) {
                throw new IllegalStateException("the fleet watch stopped: " + failed, failed);
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
        try {
            while (running) {
                synchronized (consumer) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        take(record);
                    }
                    consumer.assignment().forEach(p -> positions.put(p, consumer.position(p)));
                }
                Thread.yield(); // let awaitPlacementsUpTo take the lock between polls
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "fleet watch stopped");
            failure.set(e);
        }
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            placements.remove(record.key()); // a tombstone: the guest's package is gone
            return;
        }
        try {
            if (record.topic().equals(topics.placements())) {
                placements.put(record.key(), gate.placement(record.key(), record.value()).data());
            } else {
                if (gate.hostHeartbeat(record.key(), record.value()).data() instanceof Heartbeat beat) {
                    beats.put(beat.id(), new Beat(clock.millis(), beat.guests())); // not a detector's tick
                }
            }
        } catch (RejectedRecordException e) {
            // Not ours to dead-letter: the engine and the detector read these topics too.
            LOG.debugf("skipping an unreadable record on %s: %s", record.topic(), e.reason());
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
