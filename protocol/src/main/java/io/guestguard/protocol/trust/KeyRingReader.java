package io.guestguard.protocol.trust;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.FreeText;
import io.guestguard.protocol.KeyRecord;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a {@link KeyRing} filled from the compacted keys topic, beside the service's own consumers:
 * reads every partition from the beginning, then follows it. Only records the operator root signed
 * are applied (the root's public key is the one key a service is configured with); any other record
 * is handed to {@code rejected} with the reason, and reading goes on.
 */
public final class KeyRingReader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KeyRingReader.class.getName());

    private final KeyRing ring;
    private final RecordGate rootGate;
    private final BiConsumer<ConsumerRecord<String, byte[]>, String> rejected;
    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param kafka    the Kafka client settings (bootstrap servers, security), to which the reader adds its own
     * @param root     the operator root's public key
     * @param rejected told of each record that is not the root's valid key record, with the reason
     */
    public KeyRingReader(Map<String, Object> kafka, String topic, KeyFile.Public root, KeyRing ring, EventCodec codec,
                         BiConsumer<ConsumerRecord<String, byte[]>, String> rejected) {
        this.ring = ring;
        this.topic = topic;
        this.rejected = rejected;
        KeyRing roots = new KeyRing();
        roots.register(root.principal(), root.key(), java.time.Instant.EPOCH);
        this.rootGate = new RecordGate(codec, new Provenance(roots));
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "guestguard-keys");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "guestguard-keys");
        this.thread.setDaemon(true);
    }

    /** Starts reading; returns at once. */
    public KeyRingReader start() {
        thread.start();
        return this;
    }

    /**
     * Waits until every key record on the topic when reading began has been applied, so that the
     * service does not refuse a record whose key is merely not read yet.
     *
     * @throws IllegalStateException when that takes longer than {@code timeout}
     */
    public void awaitLoaded(Duration timeout) throws InterruptedException {
        if (!loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the keys topic " + topic + " was not read within " + timeout
                    + "; check that Kafka is reachable and that this principal may read " + topic);
        }
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofMinutes(5)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    apply(record);
                }
                if (loaded.getCount() > 0 && ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    LOG.info(() -> "keys loaded: " + ring.entries().size() + " keys from " + topic);
                    loaded.countDown();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "the keys topic " + topic + " can no longer be read; keys registered or revoked from now on are not seen", e);
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            CloudEvent<? extends KeyRecord> event = rootGate.keyRecord(record.key(), record.value(), record.headers());
            ring.apply(event);
        } catch (RejectedRecordException e) {
            rejected.accept(record, e.getMessage());
        } catch (RuntimeException e) {
            // Whatever a record provokes, it must not stop the reading: a revocation may follow it.
            rejected.accept(record, "unreadable key record: " + FreeText.clean(String.valueOf(e)));
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
    }
}
