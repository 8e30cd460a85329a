package io.guestguard.protocol.history;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Reads one guest's newest records from a broker, for its history: only the partition its key is on
 * (as the default partitioner puts it) of the guest log, the decisions, the placements, the guest
 * commands and the dead letters, read side by side, then of the host commands the partitions of the
 * hosts its decisions and placements name; in each, only the last {@link Bounds#scanned} records, of
 * which the guest's newest {@link Bounds#kept} per topic are kept. So a read costs the same however long the topics are, and a
 * history is of the guest's recent past only. Committed records only, no consumer group, nothing
 * written; each read has its own consumer, closed before it returns.
 */
public final class GuestRecords {

    /**
     * How much one read looks at.
     *
     * @param scanned the newest records of each partition read (the guest's and other guests' on it)
     * @param kept the newest of the guest's records kept per topic
     */
    public record Bounds(int scanned, int kept) {
        public Bounds {
            if (scanned < 1 || kept < 1) {
                throw new IllegalArgumentException("a history reads and keeps at least one record: scanned " + scanned + ", kept " + kept);
            }
        }
    }

    /**
     * What a read found.
     *
     * @param chain the guest's chain
     * @param earlier whether the guest log holds records before those read (the history is not the whole past)
     * @param undecodable the guest's records (of its own key) passed over because they did not decode
     */
    public record Read(GuestChain chain, boolean earlier, long undecodable) {
    }

    private final KafkaClientSettings kafka;
    private final Topics topics;
    private final Bounds bounds;
    private final Duration timeout;
    private final EventCodec codec = new EventCodec();

    public GuestRecords(KafkaClientSettings kafka, Topics topics, Bounds bounds, Duration timeout) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.bounds = Objects.requireNonNull(bounds, "bounds");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * The guest's newest records as its chain.
     *
     * @throws org.apache.kafka.common.KafkaException when the broker cannot be read within the timeout
     */
    public Read read(String guest) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.with(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.CLIENT_ID_CONFIG, "guestguard-history",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            Batch first = new Batch(consumer);
            Newest facts = new Newest(guest, e -> e.data() instanceof Fact);
            Newest decisions = new Newest(guest, e -> e.data() instanceof Decision);
            Newest placements = new Newest(guest, e -> e.data() instanceof GuestPlacement);
            Newest guestCommands = new Newest(guest, e -> true);
            Map<String, String> refused = new HashMap<>();
            TopicPartition log = first.add(topics.guestLog(), guest, facts);
            first.add(topics.decisions(), guest, decisions);
            first.add(topics.placements(), guest, placements);
            first.add(topics.guestCommands(), guest, guestCommands);
            first.add(topics.deadLetter(), guest, record -> {
                if (guest.equals(record.key())) {
                    DeadLetter.Letter letter = DeadLetter.read(record.headers());
                    if ("policy-engine".equals(letter.service()) && topics.guestLog().equals(letter.topic())) {
                        refused.put(letter.where(), letter.reason());
                    }
                }
            });
            boolean earlier = first.read().contains(log) || facts.dropped;

            // Host commands are keyed by the host that carries them out: those of the hosts this guest's
            // decisions and placements name, and of them only the commands its decisions sent.
            List<CloudEvent<Decision>> decided = new ArrayList<>();
            Set<String> sent = new HashSet<>();
            Set<String> hosts = new HashSet<>();
            decisions.kept.forEach(d -> {
                @SuppressWarnings("unchecked")
                CloudEvent<Decision> decision = (CloudEvent<Decision>) d.event();
                decided.add(decision);
                sent.addAll(decision.data().commandIds());
                hosts.add(decision.data().fromHost());
                hosts.add(decision.data().toHost());
            });
            placements.kept.forEach(p -> hosts.add(((GuestPlacement) p.event().data()).host()));
            hosts.remove(null);
            Newest hostCommands = new Newest(hosts::contains, e -> e.data() instanceof HostCommand && sent.contains(e.id()));
            Batch second = new Batch(consumer);
            hosts.forEach(host -> second.add(topics.hostCommands(), host, hostCommands));
            second.read();

            List<LoggedEvent> commands = new ArrayList<>(guestCommands.kept);
            commands.addAll(hostCommands.kept);
            return new Read(GuestChain.of(List.copyOf(facts.kept), decided, commands, List.copyOf(placements.kept), refused), earlier,
                    facts.undecodable + decisions.undecodable + placements.undecodable + guestCommands.undecodable);
        }
    }

    /** The newest {@link Bounds#kept} decoded events of the records a key test lets in, that {@code wanted} keeps. */
    private final class Newest implements Consumer<ConsumerRecord<String, byte[]>> {
        private final Predicate<String> key;
        private final Predicate<CloudEvent<?>> wanted;
        final ArrayDeque<LoggedEvent> kept = new ArrayDeque<>();
        boolean dropped;
        long undecodable;

        Newest(String key, Predicate<CloudEvent<?>> wanted) {
            this(key::equals, wanted);
        }

        Newest(Predicate<String> key, Predicate<CloudEvent<?>> wanted) {
            this.key = key;
            this.wanted = wanted;
        }

        @Override
        public void accept(ConsumerRecord<String, byte[]> record) {
            if (record.key() == null || !key.test(record.key()) || record.value() == null) {
                return;
            }
            CloudEvent<?> event;
            try {
                event = codec.decode(record.value(), record.headers());
            } catch (RejectedRecordException e) {
                undecodable++;
                return;
            }
            if (wanted.test(event)) {
                kept.addLast(new LoggedEvent(event, record.topic() + "-" + record.partition() + "@" + record.offset(), record.offset(),
                        Instant.ofEpochMilli(record.timestamp())));
                if (kept.size() > bounds.kept()) {
                    kept.removeFirst();
                    dropped = true;
                }
            }
        }
    }

    /**
     * The newest {@link Bounds#scanned} records of several partitions, read side by side (one fetch
     * for all, not a round trip per partition), each handed to its partition's sink in offset order.
     */
    private final class Batch {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<TopicPartition, Consumer<ConsumerRecord<String, byte[]>>> sinks = new LinkedHashMap<>();

        Batch(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        /** Reads the partition {@code key} is on of {@code topic} into {@code sink}; the partition. */
        TopicPartition add(String topic, String key, Consumer<ConsumerRecord<String, byte[]>> sink) {
            TopicPartition partition = new TopicPartition(topic, partitionOf(consumer, topic, key));
            sinks.putIfAbsent(partition, sink);
            return partition;
        }

        /** Reads them all up to the ends they have now; the partitions whose read did not reach their beginning. */
        Set<TopicPartition> read() {
            if (sinks.isEmpty()) {
                return Set.of();
            }
            List<TopicPartition> all = List.copyOf(sinks.keySet());
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(all, timeout);
            Map<TopicPartition, Long> end = consumer.endOffsets(all, timeout);
            Set<TopicPartition> cut = new HashSet<>();
            Set<TopicPartition> pending = new HashSet<>();
            consumer.assign(all);
            for (TopicPartition partition : all) {
                long from = Math.max(begin.get(partition), end.get(partition) - bounds.scanned());
                consumer.seek(partition, from);
                if (from > begin.get(partition)) {
                    cut.add(partition);
                }
                if (from < end.get(partition)) {
                    pending.add(partition);
                }
            }
            consumer.pause(all.stream().filter(p -> !pending.contains(p)).toList());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!pending.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("reading " + pending + " up to their ends " + end + " took longer than " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < end.get(partition)) {
                        sinks.get(partition).accept(record);
                    }
                }
                // Past the end it had, or past a transaction's marker at it: that partition is read.
                List<TopicPartition> done = pending.stream().filter(p -> consumer.position(p, timeout) >= end.get(p)).toList();
                done.forEach(pending::remove);
                consumer.pause(done);
            }
            return cut;
        }
    }

    /**
     * The partition {@code key}'s records are on: the producers' and Kafka Streams' default
     * partitioner's choice (murmur2 of the key), which every GuestGuard writer leaves in place.
     */
    private int partitionOf(KafkaConsumer<String, byte[]> consumer, String topic, String key) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist (create GuestGuard's topics: guestguard topics create)");
        }
        return BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions.size());
    }
}
