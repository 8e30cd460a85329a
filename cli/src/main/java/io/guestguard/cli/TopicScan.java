package io.guestguard.cli;

import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a topic as it is now: every partition from its beginning to the end it had when the scan
 * began, committed records only, without a consumer group. Every wait is bounded by the timeout.
 */
final class TopicScan implements AutoCloseable {

    private final Duration timeout;
    private final KafkaConsumer<String, byte[]> consumer;

    TopicScan(KafkaClientSettings kafka, Duration timeout) {
        this.timeout = timeout;
        this.consumer = new KafkaConsumer<>(kafka.with(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Every record of {@code topic} up to the end it has now, one partition after the other. */
    void readAll(String topic, Consumer<ConsumerRecord<String, byte[]>> sink) {
        for (TopicPartition partition : partitions(topic)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            while (consumer.position(partition, timeout) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
                    if (record.offset() >= end) {
                        break;
                    }
                    sink.accept(record);
                }
            }
        }
    }

    /** How many records {@code topic}'s partitions hold now. */
    long size(String topic) {
        List<TopicPartition> partitions = partitions(topic);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        return partitions.stream().mapToLong(p -> end.get(p) - begin.get(p)).sum();
    }

    private List<TopicPartition> partitions(String topic) {
        return consumer.partitionsFor(topic, timeout).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    @Override
    public void close() {
        consumer.close(timeout);
    }
}
