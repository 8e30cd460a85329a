package io.guestguard.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The yardstick for the engine: a plain consumer-to-producer loop copying every record of a topic to
 * another, one thread, with the engine's cadence (poll step {@code poll.ms}, a commit every
 * {@code commit.interval.ms}, {@code max.poll.records} and {@code linger.ms} as Kafka Streams sets
 * them). Transactional, it is what the engine's exactly-once costs in Kafka alone: each commit sends
 * the consumed offsets in the transaction ({@code sendOffsetsToTransaction}) and commits, read
 * {@code read_committed}. Plain, it flushes the producer and commits the offsets (at least once).
 */
final class Passthrough {

    /** Kafka Streams' own default for its consumers. */
    static final int MAX_POLL_RECORDS = 1000;

    /**
     * @param records        copied
     * @param seconds        from the first records polled to the last commit
     * @param commits        transactions (or offset commits)
     * @param pollSeconds    spent in {@code poll}
     * @param sendSeconds    spent handing records to the producer
     * @param commitSeconds  spent committing (transactional: sending the offsets and committing; plain:
     *                       flushing the producer and committing the offsets)
     */
    record Run(long records, double seconds, int commits, double pollSeconds, double sendSeconds, double commitSeconds) {
        double perSecond() {
            return records / seconds;
        }

        /** Where the loop's time went, in one phrase. */
        String split() {
            return String.format(java.util.Locale.ROOT, "poll %.2f s, send %.2f s, commit %.2f s (%d commits, %.1f ms each)",
                    pollSeconds, sendSeconds, commitSeconds, commits, commits == 0 ? 0 : commitSeconds * 1000 / commits);
        }
    }

    private Passthrough() {
    }

    /**
     * Copies {@code ends}' records from {@code input} to {@code output}, then returns.
     *
     * @param transactional exactly once (transactions) or at least once
     * @param id            the consumer group and transactional id, new for each run
     */
    static Run copy(String bootstrapServers, String input, String output, Map<TopicPartition, Long> ends,
                    boolean transactional, String id, long pollMs, long commitIntervalMs, Duration timeout) {
        long expected = KafkaOps.sum(ends);
        Map<String, Object> consumerProps = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, id,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, transactional ? "read_committed" : "read_uncommitted"));
        Map<String, Object> producerProps = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, 0));
        if (transactional) {
            producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        }
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer())) {
            if (transactional) {
                producer.initTransactions();
            }
            consumer.subscribe(List.of(input));
            long deadline = System.nanoTime() + timeout.toNanos();
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            Callback onFailure = (metadata, error) -> {
                if (error != null) {
                    sendFailure.compareAndSet(null, error);
                }
            };
            long pollNanos = 0;
            long sendNanos = 0;
            long commitNanos = 0;
            long copied = 0;
            long first = 0;
            long lastCommit = 0;
            int commits = 0;
            boolean open = false;
            Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
            while (copied < expected || open) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("passthrough " + id + " copied " + copied + " of " + expected
                            + " records within " + timeout);
                }
                long polling = System.nanoTime();
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(pollMs));
                long sending = System.nanoTime();
                if (first != 0) {
                    pollNanos += sending - polling;
                }
                if (!records.isEmpty()) {
                    if (first == 0) {
                        first = System.nanoTime();
                        lastCommit = first;
                    }
                    if (transactional && !open) {
                        producer.beginTransaction();
                    }
                    open = true;
                    for (ConsumerRecord<String, byte[]> record : records) {
                        producer.send(new ProducerRecord<>(output, null, record.key(), record.value(), record.headers()), onFailure);
                        pending.put(new TopicPartition(record.topic(), record.partition()),
                                new OffsetAndMetadata(record.offset() + 1));
                    }
                    copied += records.count();
                }
                long now = System.nanoTime();
                sendNanos += first != 0 ? now - sending : 0;
                if (open && (now - lastCommit >= commitIntervalMs * 1_000_000 || copied >= expected)) {
                    if (transactional) {
                        producer.sendOffsetsToTransaction(pending, consumer.groupMetadata());
                        producer.commitTransaction();
                    } else {
                        producer.flush(); // at least once: what is committed as consumed must be written
                        consumer.commitSync(pending);
                    }
                    if (sendFailure.get() != null) {
                        // A yardstick that lost records measures nothing: stop with Kafka's reason.
                        throw new IllegalStateException("passthrough " + id + " could not write a record", sendFailure.get());
                    }
                    pending = new HashMap<>();
                    open = false;
                    commits++;
                    lastCommit = System.nanoTime();
                    commitNanos += lastCommit - now;
                }
            }
            return new Run(copied, (lastCommit - first) / 1e9, commits, pollNanos / 1e9, sendNanos / 1e9, commitNanos / 1e9);
        }
    }
}
