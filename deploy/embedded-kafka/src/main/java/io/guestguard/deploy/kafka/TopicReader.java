package io.guestguard.deploy.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A plain Kafka consumer that reads every partition of one topic from the beginning, committed
 * records only (the policy engine writes in transactions), and accumulates what it read. Tests wait
 * on {@link #poll()} with Awaitility; the local fleet's timeline uses it too. Not thread-safe.
 */
public final class TopicReader implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

    public TopicReader(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(PartitionInfo::partition).map(p -> new TopicPartition(topic, p)).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what has arrived (waiting at most {@code timeout}) and returns only the new records. */
    public List<ConsumerRecord<String, byte[]>> pollNew(Duration timeout) {
        List<ConsumerRecord<String, byte[]>> fresh = new ArrayList<>();
        consumer.poll(timeout).forEach(fresh::add);
        records.addAll(fresh);
        return fresh;
    }

    /** Reads what has arrived and returns everything read so far. */
    public List<ConsumerRecord<String, byte[]>> poll() {
        pollNew(Duration.ofMillis(100));
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
