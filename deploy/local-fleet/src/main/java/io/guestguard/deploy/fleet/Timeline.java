package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Follows the facts, the decisions, the migration watcher's rebinds and the dead letters as they
 * arrive and prints a line for each (a fact its gate refuses is marked so); of the hosts' beats, only
 * a host's leaving (its supervisor stopped on purpose) and its first beat after it.
 * Other parts of the fleet (the benchmark) can listen to the decoded events too.
 */
public final class Timeline implements AutoCloseable {

    private final TopicReader reader;
    private final Topics topics;
    private final PrintStream out;
    private final EventCodec codec = new EventCodec();
    private final RecordGate gate;
    private final TimelineFormat format = new TimelineFormat(ZoneId.systemDefault());
    private final List<Consumer<CloudEvent<?>>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    /** The engine's detach timeout, for the leaving's line. */
    private final Duration detachTimeout = LocalFleet.DETACH_TIMEOUT;
    /** Hosts that said they leave and have not beaten since: touched by the timeline's thread only. */
    private final Set<String> away = new HashSet<>();
    private volatile boolean running = true;

    /** A timeline that checks no signatures: every record is shown as it reads. */
    public Timeline(String bootstrapServers, Topics topics, PrintStream out) {
        this(bootstrapServers, topics, out, new RecordGate(new EventCodec()));
    }

    /**
     * A timeline that reads the guest log through {@code gate}: a fact it refuses (with signatures on,
     * one the services refuse too) is shown as refused, with the reason, and given to no listener.
     */
    public Timeline(String bootstrapServers, Topics topics, PrintStream out, RecordGate gate) {
        this.reader = new TopicReader(bootstrapServers, topics.guestLog(), topics.decisions(), topics.deadLetter(),
                topics.guestCommands(), topics.hostHeartbeats());
        this.topics = topics;
        this.out = out;
        this.gate = gate;
        this.thread = new Thread(this::run, "timeline");
    }

    /** Also hands every fact and decision to {@code listener}, on the timeline's thread. */
    public void addListener(Consumer<CloudEvent<?>> listener) {
        listeners.add(listener);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                reader.pollNew(Duration.ofMillis(500)).forEach(this::show);
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            reader.close();
        }
    }

    private void show(ConsumerRecord<String, byte[]> record) {
        if (record.topic().equals(topics.deadLetter())) {
            out.println(format.deadLetter(record.key(), header(record, DeadLetter.REASON), header(record, DeadLetter.SERVICE),
                    header(record, DeadLetter.TOPIC) + "-" + header(record, DeadLetter.PARTITION) + "@" + header(record, DeadLetter.OFFSET)));
            return;
        }
        Instant appended = Instant.ofEpochMilli(record.timestamp());
        String topic = record.topic();
        CloudEvent<?> event;
        try {
            // The topics the services gate are read through the gate: once, as they read them.
            event = topic.equals(topics.guestLog()) ? gate.fact(record.key(), record.value(), record.headers(), null)
                    : topic.equals(topics.hostHeartbeats()) ? gate.hostHeartbeat(record.key(), record.value(), record.headers(), null)
                    : codec.decode(record.value(), record.headers());
        } catch (RejectedRecordException refused) {
            showRefused(record, appended, refused.reason());
            return;
        }
        if (topic.equals(topics.guestCommands()) && !(event.data() instanceof Rebind)) {
            return; // the engine's commands show as its decisions
        }
        if (topic.equals(topics.hostHeartbeats())) {
            showHost(event, appended);
            return;
        }
        out.println(topic.equals(topics.guestLog()) ? format.line(event, appended) : format.line(event));
        listeners.forEach(listener -> listener.accept(event));
    }

    /** A record the gate refused: a fact or a host's leaving shown with the reason, what cannot be read said so. */
    private void showRefused(ConsumerRecord<String, byte[]> record, Instant appended, String reason) {
        CloudEvent<?> event;
        try {
            event = codec.decode(record.value(), record.headers());
        } catch (RejectedRecordException e) {
            out.println("unreadable record on " + record.topic() + " (" + e.reason() + "); the consuming service dead-letters it");
            return;
        }
        if (record.topic().equals(topics.guestLog())) {
            out.println(format.line(event, appended) + "  <- refused: " + reason);
        } else if (event.data() instanceof HostLeaving leaving) {
            out.println(format.leaving(leaving.host(), appended, detachTimeout) + "  <- refused: " + reason);
        }
    }

    /** A host's leaving, and its first beat after it; nothing for the other beats and the detector's ticks. */
    private void showHost(CloudEvent<?> event, Instant appended) {
        if (event.data() instanceof HostLeaving leaving) {
            away.add(leaving.host());
            out.println(format.leaving(leaving.host(), appended, detachTimeout));
        } else if (event.data() instanceof Heartbeat beat && away.remove(beat.id())) {
            out.println(format.back(beat.id(), appended));
        } else {
            return;
        }
        listeners.forEach(listener -> listener.accept(event));
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "?" : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        running = false;
        if (!thread.isAlive()) {
            reader.close();
            return;
        }
        reader.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
