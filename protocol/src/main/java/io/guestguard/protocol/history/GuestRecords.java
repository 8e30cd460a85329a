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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Reads one guest's newest records from a broker, for its history: only the partition its key is on
 * (as the default partitioner puts it) of the guest log, the decisions, the placements, the guest
 * commands and the dead letters, and of the host commands the partitions of the hosts its decisions
 * and placements name; in each, only the last {@link Bounds#scanned} records, of which the guest's
 * newest {@link Bounds#kept} are kept. So a read costs the same however long the topics are, and a
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
     * @param undecodable the guest's records passed over because they did not decode
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
            Reader reader = new Reader(consumer, guest);
            boolean[] earlier = new boolean[1];
            List<LoggedEvent> facts = reader.events(topics.guestLog(), guest, e -> e.data() instanceof Fact, earlier);
            List<CloudEvent<Decision>> decisions = new ArrayList<>();
            reader.events(topics.decisions(), guest, e -> e.data() instanceof Decision, null).forEach(d -> {
                @SuppressWarnings("unchecked")
                CloudEvent<Decision> decision = (CloudEvent<Decision>) d.event();
                decisions.add(decision);
            });
            List<LoggedEvent> placements = reader.events(topics.placements(), guest, e -> e.data() instanceof GuestPlacement, null);
            List<LoggedEvent> commands = new ArrayList<>(reader.events(topics.guestCommands(), guest, e -> true, null));
            Set<String> sent = new java.util.HashSet<>();
            Set<String> hosts = new LinkedHashSet<>();
            decisions.forEach(d -> {
                sent.addAll(d.data().commandIds());
                hosts.add(d.data().fromHost());
                hosts.add(d.data().toHost());
            });
            placements.forEach(p -> hosts.add(((GuestPlacement) p.event().data()).host()));
            hosts.remove(null);
            Set<Integer> hostPartitions = new LinkedHashSet<>();
            for (String host : hosts) {
                int partition = reader.partitionOf(topics.hostCommands(), host);
                if (hostPartitions.add(partition)) {
                    commands.addAll(reader.tail(topics.hostCommands(), partition,
                            r -> r.key() != null && hosts.contains(r.key()), e -> e.data() instanceof HostCommand && sent.contains(e.id()), null));
                }
            }
            Map<String, String> refused = new HashMap<>();
            reader.letters(guest, letter -> {
                if ("policy-engine".equals(letter.service()) && topics.guestLog().equals(letter.topic())) {
                    refused.put(letter.where(), letter.reason());
                }
            });
            return new Read(GuestChain.of(facts, decisions, commands, placements, refused), earlier[0], reader.undecodable);
        }
    }

    /** One read's consumer, partition by partition. */
    private final class Reader {
        private final KafkaConsumer<String, byte[]> consumer;
        private final String guest;
        long undecodable;

        Reader(KafkaConsumer<String, byte[]> consumer, String guest) {
            this.consumer = consumer;
            this.guest = guest;
        }

        /** The guest's decoded events of {@code topic} that {@code wanted} keeps, the newest {@link Bounds#kept}. */
        List<LoggedEvent> events(String topic, String key, Predicate<CloudEvent<?>> wanted, boolean[] earlier) {
            return tail(topic, partitionOf(topic, key), r -> key.equals(r.key()), wanted, earlier);
        }

        List<LoggedEvent> tail(String topic, int partition, Predicate<ConsumerRecord<String, byte[]>> keyed,
                               Predicate<CloudEvent<?>> wanted, boolean[] earlier) {
            ArrayDeque<LoggedEvent> newest = new ArrayDeque<>();
            scan(new TopicPartition(topic, partition), earlier, record -> {
                if (!keyed.test(record) || record.value() == null) {
                    return;
                }
                try {
                    CloudEvent<?> event = codec.decode(record.value());
                    if (wanted.test(event)) {
                        newest.addLast(new LoggedEvent(event, topic + "-" + partition + "@" + record.offset(), record.offset(),
                                Instant.ofEpochMilli(record.timestamp())));
                        if (newest.size() > bounds.kept()) {
                            newest.removeFirst();
                            if (earlier != null) {
                                earlier[0] = true;
                            }
                        }
                    }
                } catch (RejectedRecordException e) {
                    if (guest.equals(record.key())) {
                        undecodable++;
                    }
                }
            });
            return new ArrayList<>(newest);
        }

        /** The dead letters of the guest's records, newest {@link Bounds#scanned} of its partition. */
        void letters(String key, Consumer<DeadLetter.Letter> sink) {
            scan(new TopicPartition(topics.deadLetter(), partitionOf(topics.deadLetter(), key)), null, record -> {
                if (key.equals(record.key())) {
                    sink.accept(DeadLetter.read(record.headers()));
                }
            });
        }

        /**
         * The partition {@code key}'s records are on: the producers' and Kafka Streams' default
         * partitioner's choice (murmur2 of the key), which every GuestGuard writer leaves in place.
         */
        int partitionOf(String topic, String key) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist (create GuestGuard's topics: guestguard topics create)");
            }
            return BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions.size());
        }

        private void scan(TopicPartition partition, boolean[] earlier, Consumer<ConsumerRecord<String, byte[]>> sink) {
            List<TopicPartition> one = List.of(partition);
            long begin = consumer.beginningOffsets(one, timeout).get(partition);
            long end = consumer.endOffsets(one, timeout).get(partition);
            long from = Math.max(begin, end - bounds.scanned());
            if (earlier != null) {
                earlier[0] = from > begin;
            }
            consumer.assign(one);
            consumer.seek(partition, from);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(partition, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("reading " + partition + " up to offset " + end + " took longer than " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() >= end) {
                        return;
                    }
                    sink.accept(record);
                }
            }
        }
    }
}
