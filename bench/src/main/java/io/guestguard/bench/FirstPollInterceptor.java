package io.guestguard.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notes, per consumer group, when a consumer first got records: the start of processing, which a
 * throughput figure must not include the group join and task set-up before. Kafka creates it by
 * class name inside Kafka Streams, hence the static registry.
 */
public final class FirstPollInterceptor implements ConsumerInterceptor<Object, Object> {

    private static final Map<String, Long> FIRST_RECORDS_NANOS = new ConcurrentHashMap<>();

    private String group;

    /** {@link System#nanoTime()} when a consumer of {@code group} first got records. */
    static Optional<Long> firstRecords(String group) {
        return Optional.ofNullable(FIRST_RECORDS_NANOS.get(group));
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object id = configs.get(ConsumerConfig.GROUP_ID_CONFIG);
        group = id == null ? null : id.toString();
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        if (group != null && !records.isEmpty()) {
            FIRST_RECORDS_NANOS.putIfAbsent(group, System.nanoTime());
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }
}
