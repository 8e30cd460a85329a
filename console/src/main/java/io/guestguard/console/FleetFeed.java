package io.guestguard.console;

import io.guestguard.protocol.Topics;
import io.guestguard.protocol.fleet.FleetFold;
import io.guestguard.protocol.fleet.FleetStatus;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The console's view of the fleet, kept current: one plain consumer (no group, nothing committed: the
 * console keeps no position and writes nothing) reads the packages, placements, decisions, host beats
 * and dead letters from their beginnings and goes on reading, folding them as {@code guestguard status}
 * does ({@link FleetFold}), keeps the last {@link #WINDOW} decisions for the timeline and hands the
 * dead letters to {@link DeadLetters}. Listeners
 * hear of each new decision and of each batch that changed the fleet.
 */
@ApplicationScoped
public class FleetFeed {

    /** How many of the newest decisions the timeline keeps. */
    static final int WINDOW = 500;

    private static final Logger LOG = Logger.getLogger(FleetFeed.class);

    private final KafkaClientSettings kafka;
    private final Topics topics;
    private final FleetFold fold;
    private final DeadLetters deadLetters;
    private final ArrayDeque<TimelineEntry> recent = new ArrayDeque<>();
    private final List<Consumer<TimelineEntry>> decisionListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> fleetListeners = new CopyOnWriteArrayList<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running = true;
    private Thread reader;
    private long lastFleetNotice;
    /** Set once the reader reached the ends its topics had when it began: the pages show the whole fleet. */
    private volatile boolean caughtUp;
    /** Whether the reader is reading now, not waiting to try again after an error. */
    private volatile boolean reading;
    private static final long BEAT_NOTICE_NANOS = Duration.ofSeconds(1).toNanos();

    public FleetFeed(KafkaClientSettings kafka, @ConfigProperty(name = "guestguard.topic-prefix") String prefix, DeadLetters deadLetters) {
        this.kafka = kafka;
        this.deadLetters = deadLetters;
        this.topics = new Topics(prefix);
        this.fold = new FleetFold(topics);
    }

    void start(@Observes StartupEvent started) {
        reader = new Thread(this::read, "console-fleet-feed");
        reader.setDaemon(true);
        reader.start();
    }

    void stop(@Observes ShutdownEvent stopping) throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        reader.join(5_000);
    }

    /** The fleet as folded so far, worked out as {@code guestguard status} does, at this machine's time. */
    public synchronized FleetStatus status() {
        return FleetStatus.of(fold.snapshot(Instant.now()));
    }

    /** The newest decisions, newest first; of {@code guest} only if not {@code null}. */
    public synchronized List<TimelineEntry> timeline(String guest) {
        List<TimelineEntry> newestFirst = new ArrayList<>();
        recent.descendingIterator().forEachRemaining(e -> {
            if (guest == null || guest.equals(e.guest())) {
                newestFirst.add(e);
            }
        });
        return newestFirst;
    }

    /** Records passed over because they did not decode. */
    public synchronized long passedOver() {
        return fold.passedOver();
    }

    /** For liveness: the reader's thread runs (it reads, or waits to try again). */
    public boolean alive() {
        return reader != null && reader.isAlive();
    }

    /** For readiness: it has read its topics to their ends once, and is reading now. */
    public boolean ready() {
        return caughtUp && reading && alive();
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    public boolean reading() {
        return reading;
    }

    void onDecision(Consumer<TimelineEntry> listener) {
        decisionListeners.add(listener);
    }

    void onFleetChange(Runnable listener) {
        fleetListeners.add(listener);
    }

    private void read() {
        Map<String, Object> properties = kafka.with(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                // Decisions and placements of an engine transaction that was aborted never happened.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "guestguard-console",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        List<String> read = List.of(topics.packages(), topics.placements(), topics.decisions(), topics.hostHeartbeats(),
                topics.deadLetter());
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(properties)) {
                consumer = c;
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : read) {
                    List<org.apache.kafka.common.PartitionInfo> found = c.partitionsFor(topic, Duration.ofSeconds(30));
                    if (found == null || found.isEmpty()) {
                        throw new IllegalStateException("topic " + topic + " does not exist (create GuestGuard's topics: guestguard topics create)");
                    }
                    found.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
                c.assign(partitions);
                c.seekToBeginning(partitions);
                Map<TopicPartition, Long> ends = c.endOffsets(partitions);
                LOG.infof("reading %d partitions of %s from their beginnings", partitions.size(), read);
                reading = true;
                while (running) {
                    take(c.poll(Duration.ofMillis(500)));
                    if (!caughtUp && ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                        caughtUp = true;
                        LOG.info("read the fleet's topics to their ends; reading on");
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                reading = false;
                // The broker away or a topic missing: say so and read everything again (the fold is
                // idempotent per key, and the timeline skips decisions it already has).
                LOG.warnf("cannot read the fleet's topics (%s); trying again in 2 s", e.toString());
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void take(ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        List<TimelineEntry> added = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> letters = new ArrayList<>();
        boolean beatsOnly = true;
        synchronized (this) {
            for (ConsumerRecord<String, byte[]> record : records) {
                beatsOnly &= record.topic().equals(topics.hostHeartbeats());
                if (record.topic().equals(topics.deadLetter())) {
                    letters.add(record);
                }
                fold.accept(record).map(TimelineEntry::of).ifPresent(entry -> {
                    if (recent.stream().noneMatch(e -> e.id().equals(entry.id()))) {
                        recent.addLast(entry);
                        added.add(entry);
                        if (recent.size() > WINDOW) {
                            recent.removeFirst();
                        }
                    }
                });
            }
        }
        added.forEach(entry -> decisionListeners.forEach(listener -> listener.accept(entry)));
        letters.forEach(deadLetters::accept);
        // Hosts beat several times a second: their ages are news once a second, anything else at once.
        long now = System.nanoTime();
        if (!beatsOnly || now - lastFleetNotice >= BEAT_NOTICE_NANOS) {
            lastFleetNotice = now;
            fleetListeners.forEach(Runnable::run);
        }
    }
}
