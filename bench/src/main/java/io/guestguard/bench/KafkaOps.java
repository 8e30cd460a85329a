package io.guestguard.bench;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.KafkaBinding;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/** The few Kafka chores the benchmarks share: load facts, find ends and committed offsets, count and weigh topics. */
final class KafkaOps {

    private KafkaOps() {
    }

    static Admin admin(String bootstrapServers) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /**
     * Writes {@code facts} to {@code topic} keyed by guest, as fast as the broker takes them (large
     * batches: loading the input is not what is measured), and returns the topic's end offsets.
     */
    static Map<TopicPartition, Long> produce(String bootstrapServers, String topic, List<CloudEvent<Fact>> facts,
                                             EventCodec codec) {
        return produce(bootstrapServers, topic, facts, codec, new java.util.concurrent.ConcurrentHashMap<>());
    }

    /**
     * As {@link #produce(String, String, List, EventCodec)}, and puts each fact's record timestamp (on
     * {@code guest-log.v1}, the broker's append time: the engine's decision time) into
     * {@code timestamps}, by fact id.
     */
    static Map<TopicPartition, Long> produce(String bootstrapServers, String topic, List<CloudEvent<Fact>> facts,
                                             EventCodec codec, Map<String, Long> timestamps) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                // One request in flight per partition: a just-created topic's first batches may be refused
                // (NOT_LEADER_OR_FOLLOWER) while later ones are in flight, and the idempotent producer then
                // retried OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (the engine's setting says
                // why, KAFKA-14359); seen on 2026-12-07 as restore runs that failed to load their facts.
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
                new StringSerializer(), new ByteArraySerializer())) {
            for (CloudEvent<Fact> fact : facts) {
                producer.send(KafkaBinding.record(topic, fact.guestId(), codec.encode(fact)), (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        timestamps.put(fact.id(), metadata.timestamp());
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("could not load the facts into " + topic, failure.get());
        }
        return endOffsets(bootstrapServers, topic);
    }

    static Map<TopicPartition, Long> endOffsets(String bootstrapServers, String topic) {
        try (Admin admin = admin(bootstrapServers)) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether consumer group {@code group} has committed every offset up to {@code ends}. With
     * exactly-once, offsets commit in the transaction of the outputs they caused, so this says that
     * all output is committed too.
     */
    static boolean committedUpTo(Admin admin, String group, Map<TopicPartition, Long> ends) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return ends.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata offset = committed.get(e.getKey());
                return e.getValue() == 0 || offset != null && offset.offset() >= e.getValue();
            });
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the offsets of group " + group, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Counts the committed records of {@code topic} (transaction markers and aborted records are not records). */
    static long countCommitted(String bootstrapServers, String topic) {
        Map<TopicPartition, Long> ends = endOffsets(bootstrapServers, topic);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            long count = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 5 minutes");
                }
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    /** Bytes the brokers hold for {@code topic}, over all its partitions and replicas. */
    static long topicBytes(Admin admin, String topic) {
        try {
            List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
            long bytes = 0;
            for (var byBroker : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
                for (var dir : byBroker.values()) {
                    for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
                        if (replica.getKey().topic().equals(topic)) {
                            bytes += replica.getValue().size();
                        }
                    }
                }
            }
            return bytes;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe the log directories holding " + topic, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until the brokers have held {@code topics} at the same size for {@code quiet}: the log
     * cleaner is done with what it can clean (it looks again every 15 s when idle, Kafka's
     * {@code log.cleaner.backoff.ms}).
     */
    static void awaitUnchanged(Admin admin, List<String> topics, Duration quiet, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> last = List.of();
        long since = System.nanoTime();
        while (System.nanoTime() - since < quiet.toNanos()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(topics + " still changed size after " + timeout);
            }
            List<Long> sizes = topics.stream().map(topic -> topicBytes(admin, topic)).toList();
            if (!sizes.equals(last)) {
                last = sizes;
                since = System.nanoTime();
            }
            try {
                Thread.sleep(1000); // polling the brokers' log sizes; the deadline bounds it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }
}
