package io.guestguard.reporter.messaging;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads the commands addressed to one guest. It is assigned the single partition of
 * {@code guest-commands.v1} that the guest id maps to (no consumer group, so a fleet of reporters
 * causes no rebalances) and skips records keyed by other guests. Reads committed records only, since
 * the policy engine writes in transactions. Each command id is applied once.
 */
public final class CommandListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CommandListener.class);
    private static final int REMEMBERED_COMMANDS = 4096;

    private final KafkaConsumer<String, byte[]> consumer;
    private final String guestId;
    private final EventCodec codec;
    private final Consumer<CloudEvent<? extends Command>> handler;
    private final BiConsumer<ConsumerRecord<String, byte[]>, String> deadLetters;
    private final Map<String, Boolean> applied = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_COMMANDS;
        }
    };
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Assigns the guest's partition, positioned at its end: commands sent from now on are applied.
     *
     * @param handler applies one command; throwing {@link RejectedRecordException} dead-letters it
     * @param deadLetters receives each record that cannot be applied, with the reason
     */
    public CommandListener(String bootstrapServers, String topic, String guestId, EventCodec codec,
                           Consumer<CloudEvent<? extends Command>> handler,
                           BiConsumer<ConsumerRecord<String, byte[]>, String> deadLetters) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "guest-reporter-" + guestId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.guestId = guestId;
        this.codec = codec;
        this.handler = handler;
        this.deadLetters = deadLetters;
        int partitions = consumer.partitionsFor(topic).size();
        TopicPartition partition = new TopicPartition(topic, partitionOf(guestId, partitions));
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        consumer.position(partition); // resolve the end now, so nothing sent after start is missed
        this.thread = new Thread(this::run, "command-listener-" + guestId);
    }

    /** The partition Kafka's default partitioner puts {@code key} in. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    if (guestId.equals(record.key())) {
                        apply(record);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.errorf(e, "command listener for %s stopped", guestId);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @SuppressWarnings("unchecked")
    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            CloudEvent<?> event = codec.decode(record.value());
            if (!(event.data() instanceof Command)) {
                throw new RejectedRecordException("type " + event.type() + " is not a command");
            }
            if (applied.put(event.id(), Boolean.TRUE) != null) {
                LOG.debugf("command %s already applied", event.id());
                return;
            }
            handler.accept((CloudEvent<? extends Command>) event);
        } catch (RejectedRecordException e) {
            deadLetters.accept(record, e.reason());
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
