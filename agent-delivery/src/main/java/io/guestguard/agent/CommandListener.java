package io.guestguard.agent;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.FreeText;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
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
 * Reads the commands addressed to one receiver: a guest (its reporter, from {@code guest-commands.v1})
 * or a host (its supervisor, from {@code host-commands.v1}). It is assigned the single partition that
 * the receiver's key maps to (no consumer group, so a fleet of receivers causes no rebalances) and
 * skips records keyed otherwise. Reads committed records only, since the policy engine writes in
 * transactions.
 *
 * <p>Each command is applied once, also across restarts: its id is recorded in the
 * {@link CommandJournal} before it is applied ({@link Mode#AT_MOST_ONCE}), or begun there with its
 * bytes and finished by the handler ({@link Mode#UNTIL_DONE}); a restarted receiver resumes reading
 * after the last recorded offset, so commands sent while it was down are applied too. A receiver
 * with no journal yet starts at the partition's end, and records that position at once. Kafka being unreachable at start only delays
 * the assignment; the receiver runs meanwhile.
 *
 * <p>No record stops the receiver: whatever a record holds ends as an applied command or as a dead
 * letter with its reason (it does not decode, the journal refuses its id, or its handler throws),
 * and the next record is read. The receiver stops only when its journal cannot be written.
 *
 * @param <C> the kind of command the receiver takes; any other is dead-lettered
 */
public final class CommandListener<C extends Command> implements AutoCloseable {

    /** Turns a record of the receiver's key into its command, or rejects it with the reason ({@link io.guestguard.protocol.RecordGate}). */
    @FunctionalInterface
    public interface Decoder<C extends Command> {
        CloudEvent<? extends C> decode(String key, byte[] value, Headers headers);
    }

    /** How a command is recorded in the journal before it is applied. */
    public enum Mode {
        /** {@link CommandJournal#firstTime}: the id only. */
        AT_MOST_ONCE,
        /** {@link CommandJournal#begin}: the handler calls {@link CommandJournal#done} once its outcome is reported. */
        UNTIL_DONE
    }

    private static final Logger LOG = Logger.getLogger(CommandListener.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final String key;
    private final Mode mode;
    private final Decoder<C> decoder;
    private final CommandJournal journal;
    private final Consumer<CloudEvent<? extends C>> handler;
    private final BiConsumer<ConsumerRecord<String, byte[]>, String> deadLetters;
    private final Consumer<RuntimeException> fatal;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param key the receiver's key: its guest or host id
     * @param clientId the Kafka client id, e.g. {@code guest-reporter-g1}
     * @param decoder the decoding boundary for this receiver's commands, e.g. {@code gate::guestCommand}
     * @param handler applies one command; whatever it throws dead-letters the command, with the
     *                reason of a {@link RejectedRecordException} or the exception itself
     * @param deadLetters receives each record that cannot be applied, with the reason; what it throws
     *                    is logged with the reason, and the next record is read
     * @param fatal told when commands can no longer be applied (the journal cannot be written)
     */
    public CommandListener(KafkaClientSettings kafka, String topic, String key, String clientId, Mode mode,
                           Decoder<C> decoder, CommandJournal journal, Consumer<CloudEvent<? extends C>> handler,
                           BiConsumer<ConsumerRecord<String, byte[]>, String> deadLetters,
                           Consumer<RuntimeException> fatal) {
        this.consumer = new KafkaConsumer<>(kafka.with(Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                // A resume offset the topic no longer has (retention, a new cluster): its end.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.key = key;
        this.mode = mode;
        this.decoder = decoder;
        this.journal = journal;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.fatal = fatal;
        this.thread = new Thread(this::run, "command-listener-" + key);
    }

    /** The partition Kafka's default partitioner puts {@code key} in. */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    public void start() {
        thread.start();
    }

    /**
     * Whether the reading thread runs: from {@link #start} until {@link #close}, unless the journal
     * failed (then {@code fatal} was told) or the JVM threw an error at it. For the agents' liveness.
     */
    public boolean reading() {
        return thread.isAlive();
    }

    /** Waits until the receiver's partition is assigned and positioned; false if that took longer than {@code timeout}. */
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
                    if (key.equals(record.key())) {
                        apply(record);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException | Error e) {
            // Only the journal (see apply) or the JVM gets here: commands could no longer be applied once.
            LOG.errorf(e, "command listener for %s stopped", key);
            fatal.accept(e instanceof RuntimeException r ? r : new IllegalStateException(e));
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Assigns and positions the receiver's partition once Kafka answers; false if closed first. */
    private boolean assign() {
        List<PartitionInfo> partitions = null;
        while (partitions == null) {
            if (!running) {
                return false;
            }
            try {
                partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (TimeoutException e) {
                LOG.warnf("Kafka does not answer yet; commands for %s will be read once it does", key);
            }
            if (partitions != null && partitions.isEmpty()) {
                LOG.warnf("topic %s does not exist yet; waiting for it", topic);
                partitions = null;
            }
        }
        TopicPartition partition = new TopicPartition(topic, partitionOf(key, partitions.size()));
        consumer.assign(List.of(partition));
        OptionalLong resume = journal.resumeOffset();
        if (resume.isPresent()) {
            consumer.seek(partition, resume.getAsLong());
            LOG.infof("reading commands for %s from %s offset %d, after the last one applied", key, partition,
                    resume.getAsLong());
        } else {
            consumer.seekToEnd(List.of(partition));
            // Resolved now and recorded, so nothing sent from here on is missed, also across restarts.
            long end = consumer.position(partition);
            journal.markPosition(end);
            LOG.infof("reading commands for %s from %s offset %d, where it ended: a first start applies none sent before",
                    key, partition, end);
        }
        consumer.position(partition);
        assigned.countDown();
        return true;
    }

    /**
     * Applies one record of the receiver's key. Nothing a record holds stops the loop: a record that
     * does not decode, whose id the journal refuses, or whose handler throws is dead-lettered with
     * the reason, and the next record is read. Only the journal failing to write (an
     * {@link java.io.UncheckedIOException} from it) stops the receiver: it could no longer apply a
     * command once.
     */
    private void apply(ConsumerRecord<String, byte[]> record) {
        CloudEvent<? extends C> command;
        try {
            command = decoder.decode(record.key(), record.value(), record.headers());
        } catch (RuntimeException e) { // RejectedRecordException; anything else is a decoder's bug, not a reason to stop
            // No id to remember it by: dead-letter it, then record its offset (a crash between the two
            // writes the dead letter twice, never loses it).
            reject(record, reasonOf(e));
            return;
        }
        boolean first;
        try {
            first = mode == Mode.UNTIL_DONE
                    ? journal.begin(command.id(), record.offset(), record.value())
                    : journal.firstTime(command.id(), record.offset());
        } catch (IllegalArgumentException e) { // an id the journal cannot hold
            reject(record, "the command journal refuses its id: " + FreeText.clean(e.getMessage()));
            return;
        }
        if (!first) {
            LOG.debugf("command %s already applied", command.id());
            return;
        }
        try {
            handler.accept(command);
        } catch (RuntimeException e) {
            if (!(e instanceof RejectedRecordException)) {
                LOG.errorf(e, "command %s for %s could not be applied", command.id(), key);
            }
            deadLetter(record, reasonOf(e));
            if (mode == Mode.UNTIL_DONE) {
                journal.done(command.id()); // dead-lettered is finished
            }
        }
    }

    /** Dead-letters a record that has no journalled id, and records its offset so a restart goes past it. */
    private void reject(ConsumerRecord<String, byte[]> record, String reason) {
        deadLetter(record, reason);
        journal.firstTime("unreadable@" + record.offset(), record.offset());
    }

    /**
     * Hands the record to the dead-letter writer, which retries within its own limit and reports
     * itself in health; if it gives up, the record's place and reason stay in this log line and the
     * receiver goes on (the record itself is still on its topic).
     */
    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        try {
            deadLetters.accept(record, reason);
        } catch (RuntimeException e) {
            LOG.errorf("dead letter for %s-%d@%d not written (%s); its reason: %s", record.topic(), record.partition(),
                    record.offset(), FreeText.clean(e.getMessage()), reason);
        }
    }

    private static String reasonOf(RuntimeException e) {
        return e instanceof RejectedRecordException rejected ? rejected.reason()
                : FreeText.clean("could not be applied: " + e);
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
