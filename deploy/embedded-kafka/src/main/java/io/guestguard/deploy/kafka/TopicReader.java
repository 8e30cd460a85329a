package io.guestguard.deploy.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A plain Kafka consumer that reads every partition of some topics from the beginning, committed
 * records only (the policy engine writes in transactions), and accumulates what it read. Tests wait
 * on {@link #poll()} with Awaitility; the local fleet's timeline uses it too. Not thread-safe.
 */
public final class TopicReader implements AutoCloseable {

    /** How long a topic may take to appear in the broker's metadata. */
    private static final Duration METADATA_WAIT = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

    public TopicReader(String bootstrapServers, String... topics) {
        this(bootstrapServers, "read_committed", topics);
    }

    /**
     * Reads records as soon as they are written, transactions not yet committed included: what a
     * benchmark compares with {@link #TopicReader(String, String...)} to see a commit's delay.
     */
    public static TopicReader uncommitted(String bootstrapServers, String... topics) {
        return new TopicReader(bootstrapServers, "read_uncommitted", topics);
    }

    private TopicReader(String bootstrapServers, String isolation, String... topics) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = java.util.Arrays.stream(topics)
                .flatMap(topic -> partitionsOf(topic, bootstrapServers).stream()).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /**
     * The topic's partitions, once the broker knows them: a topic created a moment ago may not be in
     * the broker's metadata yet, and Kafka then answers with none (seen in CI, right after
     * {@link TopicCreator#create}).
     */
    private List<TopicPartition> partitionsOf(String topic, String bootstrapServers) {
        long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
        while (true) {
            List<org.apache.kafka.common.PartitionInfo> known = consumer.partitionsFor(topic);
            if (!known.isEmpty()) {
                return known.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            if (System.nanoTime() > deadline) {
                consumer.close(Duration.ZERO);
                throw new IllegalStateException("topic " + topic + " has no partitions at " + bootstrapServers + " after "
                        + METADATA_WAIT.toSeconds() + " s: create it first (guestguard topics create)");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // the next metadata request
        }
    }

    /**
     * Reads what has arrived (waiting at most {@code timeout}) and returns only that; nothing is kept,
     * so a long-running reader does not grow.
     */
    public List<ConsumerRecord<String, byte[]>> pollNew(Duration timeout) {
        List<ConsumerRecord<String, byte[]>> fresh = new ArrayList<>();
        consumer.poll(timeout).forEach(fresh::add);
        return fresh;
    }

    /** Reads what has arrived and returns everything {@code poll} has read so far. */
    public List<ConsumerRecord<String, byte[]>> poll() {
        records.addAll(pollNew(Duration.ofMillis(100)));
        return List.copyOf(records);
    }

    /** Interrupts a {@link #pollNew} in progress, from another thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
