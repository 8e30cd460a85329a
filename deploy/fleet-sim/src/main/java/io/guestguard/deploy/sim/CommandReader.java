package io.guestguard.deploy.sim;

import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestCommand;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated fleet's one reader of what the engine and the watcher write (committed records
 * only): guest commands to the reporters, host commands and placements to the supervisors, decisions
 * to the measurement, each decision stamped with the wall-clock time it was read (the broker runs in
 * this JVM, on the same clock as the facts' append times); and, from the migration wave on, the
 * watcher's {@code contact-lost} facts on the guest log (the records appended before it are skipped
 * undecoded, by their append time).
 */
final class CommandReader implements AutoCloseable {

    private final TopicReader reader;
    private final Topics topics;
    private final Reporters reporters;
    private final Supervisors supervisors;
    private final Failures failures;
    private final Migrations migrations;
    private final EventCodec codec = new EventCodec();
    private final Thread thread;
    private final AtomicLong unreadable = new AtomicLong();
    private volatile boolean running = true;

    CommandReader(String bootstrapServers, Topics topics, Reporters reporters, Supervisors supervisors, Failures failures,
                  Migrations migrations) {
        this.reader = new TopicReader(bootstrapServers, topics.guestCommands(), topics.hostCommands(), topics.decisions(),
                topics.placements(), topics.guestLog());
        this.topics = topics;
        this.reporters = reporters;
        this.supervisors = supervisors;
        this.failures = failures;
        this.migrations = migrations;
        this.thread = new Thread(this::run, "fleet-sim-reader");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Records none of the simulated fleet could read (none in a valid run). */
    long unreadable() {
        return unreadable.get();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : reader.pollNew(Duration.ofMillis(100))) {
                    dispatch(record, System.currentTimeMillis());
                }
            }
        } catch (WakeupException stopping) {
            // closed
        }
    }

    @SuppressWarnings("unchecked")
    private void dispatch(ConsumerRecord<String, byte[]> record, long readAt) {
        boolean guestLog = record.topic().equals(topics.guestLog());
        if (guestLog && !migrations.watching(record.timestamp())) {
            return; // the fleet's own facts, before the wave: not decoded
        }
        CloudEvent<?> event;
        try {
            event = codec.decode(record.value(), record.headers());
        } catch (RejectedRecordException e) {
            unreadable.incrementAndGet();
            return;
        }
        if (guestLog) {
            if (event.data() instanceof ContactLost lost) {
                migrations.contactLost(event.guestId(), lost, record.timestamp());
            }
        } else if (record.topic().equals(topics.guestCommands()) && event.data() instanceof GuestCommand) {
            reporters.command((CloudEvent<? extends GuestCommand>) event);
        } else if (record.topic().equals(topics.hostCommands()) && event.data() instanceof HostCommand) {
            supervisors.command((CloudEvent<? extends HostCommand>) event);
        } else if (event.data() instanceof Decision) {
            failures.decided(event, readAt);
        } else if (event.data() instanceof GuestPlacement) {
            supervisors.placement(event);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        reader.wakeup();
        thread.join(5000);
        reader.close();
    }
}
