package io.guestguard.reporter.messaging;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestCommand;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.reporter.durable.CommandJournal;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads the commands addressed to one guest. It is assigned the single partition of
 * {@code guest-commands.v1} that the guest id maps to (no consumer group, so a fleet of reporters
 * causes no rebalances) and skips records keyed by other guests. Reads committed records only, since
 * the policy engine writes in transactions.
 *
 * <p>Each command is applied once, also across reporter restarts: its id is recorded in the
 * {@link CommandJournal} before it is applied, and a restarted reporter resumes reading after the
 * last recorded offset, so commands sent while it was down are applied too. A reporter with no
 * journal yet starts at the partition's end. Kafka being unreachable at start only delays the
 * assignment; the reporter and its applications run meanwhile.
 */
public final class CommandListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CommandListener.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final String guestId;
    private final EventCodec codec;
    private final CommandJournal journal;
    private final Consumer<CloudEvent<? extends GuestCommand>> handler;
    private final BiConsumer<ConsumerRecord<String, byte[]>, String> deadLetters;
    private final Consumer<RuntimeException> fatal;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param handler applies one command; throwing {@link RejectedRecordException} dead-letters it
     * @param deadLetters receives each record that cannot be applied, with the reason
     * @param fatal told when commands can no longer be applied (the journal cannot be written)
     */
    public CommandListener(String bootstrapServers, String topic, String guestId, EventCodec codec, CommandJournal journal,
                           Consumer<CloudEvent<? extends GuestCommand>> handler,
                           BiConsumer<ConsumerRecord<String, byte[]>, String> deadLetters,
                           Consumer<RuntimeException> fatal) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "guest-reporter-" + guestId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                // A resume offset the topic no longer has (retention, a new cluster): its end.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.guestId = guestId;
        this.codec = codec;
        this.journal = journal;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.fatal = fatal;
        this.thread = new Thread(this::run, "command-listener-" + guestId);
    }

    /** The partition Kafka's default partitioner puts {@code key} in. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    public void start() {
        thread.start();
    }

    /** Waits until the guest's partition is assigned and positioned; false if that took longer than {@code timeout}. */
    public boolean awaitAssigned(Duration timeout) throws InterruptedException {
        return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            if (!assign()) {
                return;
            }
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
            fatal.accept(e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Assigns and positions the guest's partition once Kafka answers; false if closed first. */
    private boolean assign() {
        List<PartitionInfo> partitions = null;
        while (partitions == null) {
            if (!running) {
                return false;
            }
            try {
                partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (TimeoutException e) {
                LOG.warnf("Kafka does not answer yet; commands for %s will be read once it does", guestId);
            }
            if (partitions != null && partitions.isEmpty()) {
                LOG.warnf("topic %s does not exist yet; waiting for it", topic);
                partitions = null;
            }
        }
        TopicPartition partition = new TopicPartition(topic, partitionOf(guestId, partitions.size()));
        consumer.assign(List.of(partition));
        OptionalLong resume = journal.resumeOffset();
        if (resume.isPresent()) {
            consumer.seek(partition, resume.getAsLong());
            LOG.infof("reading commands for %s from %s offset %d, after the last one applied", guestId, partition,
                    resume.getAsLong());
        } else {
            consumer.seekToEnd(List.of(partition));
        }
        consumer.position(partition); // resolve it now, so nothing sent from here on is missed
        assigned.countDown();
        return true;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        CloudEvent<?> event;
        try {
            event = codec.decode(record.value());
        } catch (RejectedRecordException e) {
            // No id to remember it by: dead-letter it, then record its offset (a crash between the two
            // writes the dead letter twice, never loses it).
            deadLetters.accept(record, e.reason());
            journal.firstTime("unreadable@" + record.offset(), record.offset());
            return;
        }
        if (!journal.firstTime(event.id(), record.offset())) {
            LOG.debugf("command %s already applied", event.id());
            return;
        }
        try {
            if (!(event.data() instanceof GuestCommand)) {
                throw new RejectedRecordException("type " + event.type() + " is not a guest command");
            }
            @SuppressWarnings("unchecked")
            CloudEvent<? extends GuestCommand> command = (CloudEvent<? extends GuestCommand>) event;
            handler.accept(command);
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
