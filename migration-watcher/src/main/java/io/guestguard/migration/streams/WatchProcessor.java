package io.guestguard.migration.streams;

import io.guestguard.migration.watch.ContactWatcher;
import io.guestguard.migration.watch.ContactWatcher.Escalate;
import io.guestguard.migration.watch.ContactWatcher.SendRebind;
import io.guestguard.migration.watch.ContactWatcher.Step;
import io.guestguard.migration.watch.GuestWatch;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs the pure {@link ContactWatcher} for the guests of this task's partitions:
 * <ul>
 *   <li>a fact: load the guest's {@link GuestWatch}, step, store it, write what the step asks for;</li>
 *   <li>a guest heartbeat: remembered in memory only (a beat per guest per second must not become a
 *       store write and a changelog record each); a restarted watcher counts every guest as heard at
 *       its start, so it gives each a full silence timeout. Only the beats of guests the watcher has
 *       something due for (a running guest's silence, a check, a migration) are read at all, and of
 *       those at most one per guest and {@link #IDLE}: no state depends on the others, so a storm of
 *       beats costs the watcher little more than Kafka's work;</li>
 *   <li>every {@code checkEvery} of wall-clock time: the guests whose deadline passed, from an
 *       in-memory index of deadlines rebuilt from the store at start.</li>
 * </ul>
 * <b>Its own backlog is not the guest's silence.</b> A {@code contact-lost} escalation (the engine
 * fails the guest over on it) is written only once the watcher has read its input up to the
 * check's deadline: it has processed a record appended at or after the deadline (its stream time;
 * both topics are stamped by the broker on append), or it has had nothing to read for
 * {@link #IDLE}, so its input is read to the end. Otherwise the escalation waits for the next check:
 * the reporter's answer may be among the records not read yet, behind a burst of beats. Rebinds
 * go out meanwhile; they only ask the reporter to answer.
 * What cannot be read goes to the dead-letter topic with its reason; the watcher goes on.
 */
final class WatchProcessor implements Processor<String, byte[], String, byte[]> {

    static final String SOURCE = "/migration-watcher";
    /**
     * How long without a record to process means the input is read to its end: a stream thread with
     * nothing to do polls every few milliseconds, and one with a backlog processes records between
     * any two checks.
     */
    static final Duration IDLE = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(WatchProcessor.class);

    private final ContactWatcher watcher;
    private final EventCodec codec;
    private final RecordGate gate;
    private final String heartbeatsTopic;
    private final Duration checkEvery;
    private final WatchMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> store;
    /** Guest to its last heartbeat read since this task started. */
    private final Map<String, Long> beats = new HashMap<>();
    /** When each guest is due next, both ways. */
    private final Map<String, Long> dueAt = new HashMap<>();
    private final NavigableMap<Long, Set<String>> dueIndex = new TreeMap<>();
    /** When the last record was processed (wall clock); at start, as if one just was, since a backlog may wait. */
    private long lastReadAt;
    /** Guests whose escalation waits for the input to be read up to its deadline, to log each hold once. */
    private final Set<String> held = new TreeSet<>();

    WatchProcessor(ContactWatcher watcher, EventCodec codec, String heartbeatsTopic, Duration checkEvery,
                   WatchMetrics metrics) {
        this.watcher = watcher;
        this.codec = codec;
        this.gate = new RecordGate(codec);
        this.heartbeatsTopic = heartbeatsTopic;
        this.checkEvery = checkEvery;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(WatchTopology.STORE);
        long now = context.currentSystemTimeMs();
        lastReadAt = now;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> {
                beats.put(entry.key, now);
                index(entry.key, load(entry.value).heardAt(now));
            });
        }
        context.schedule(checkEvery, PunctuationType.WALL_CLOCK_TIME, this::timePassed);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long now = context.currentSystemTimeMs();
        lastReadAt = now;
        boolean beat = context.recordMetadata().map(m -> m.topic().equals(heartbeatsTopic)).orElse(false);
        if (beat && (!dueAt.containsKey(record.key()) || heardWithin(record.key(), now))) {
            return; // nothing is due for this guest (not running, or unknown), or it was heard just now
        }
        CloudEvent<? extends Fact> fact;
        try {
            if (beat) {
                if (gate.heartbeat(record.key(), record.value()).data().role().equals("guest")) {
                    beats.put(record.key(), now);
                }
                return; // a host beat from a supervisor older than host-heartbeats.v1: the engine's
            }
            fact = gate.fact(record.key(), record.value());
        } catch (RejectedRecordException e) {
            deadLetter(record, e.reason());
            return;
        }
        String guest = record.key();
        apply(guest, watcher.onFact(current(guest), guest, fact, now), now);
    }

    /**
     * Whether a beat of {@code guest} was read less than {@link #IDLE} ago: another one now would move
     * its last-heard time by less than that, nothing against a silence timeout of seconds, and a
     * burst of beats then costs one decode per guest and second.
     */
    private boolean heardWithin(String guest, long now) {
        Long heard = beats.get(guest);
        return heard != null && now - heard < IDLE.toMillis();
    }

    private void timePassed(long now) {
        List<String> due = new ArrayList<>();
        dueIndex.headMap(now, true).values().forEach(due::addAll);
        for (String guest : due) {
            GuestWatch watch = current(guest);
            Step step = watcher.onTime(watch, guest, now);
            if (escalates(step) && !readUpTo(watch.check() == null ? now : watch.check().deadlineMs(), now)) {
                if (held.add(guest)) {
                    LOG.infof("%s: contact-lost is due, but the watcher has not read its input up to the deadline yet "
                            + "(it is %d ms behind): waiting for it, since the answer may be in what is still unread",
                            guest, now - context.currentStreamTimeMs());
                    metrics.escalationHeld();
                }
                continue; // looked at again at the next check
            }
            held.remove(guest);
            apply(guest, step, now);
        }
    }

    /** Whether every record appended before {@code deadline} has been processed, as far as this task can tell. */
    private boolean readUpTo(long deadline, long now) {
        return context.currentStreamTimeMs() >= deadline || now - lastReadAt >= IDLE.toMillis();
    }

    private static boolean escalates(Step step) {
        return step.effects().stream().anyMatch(Escalate.class::isInstance);
    }

    /** The guest's stored watch, with the latest beat read. */
    private GuestWatch current(String guest) {
        byte[] bytes = store.get(guest);
        GuestWatch watch = bytes == null ? GuestWatch.UNKNOWN : load(bytes);
        Long beat = beats.get(guest);
        return beat == null ? watch : watch.heardAt(beat);
    }

    private void apply(String guest, Step step, long now) {
        store.put(guest, save(step.state()));
        index(guest, step.state());
        for (var effect : step.effects()) {
            if (effect instanceof SendRebind rebind) {
                CloudEvent<Rebind> command = new CloudEvent<>(rebind.commandId(), SOURCE, Instant.ofEpochMilli(now), guest,
                        null, rebind.host(), rebind.epoch(), new Rebind(rebind.host(), rebind.epoch(), rebind.causeId()));
                context.forward(new Record<>(guest, codec.encode(command), now), WatchTopology.REBINDS);
                metrics.rebindSent();
                LOG.infof("%s: rebind %d to %s (epoch %d) sent as %s", guest, rebind.attempt(), rebind.host(),
                        rebind.epoch(), rebind.commandId());
            } else if (effect instanceof Escalate escalate) {
                var lost = escalate.lost();
                CloudEvent<Fact> fact = new CloudEvent<>(escalate.factId(), SOURCE, Instant.ofEpochMilli(now), guest, null,
                        lost.host(), lost.epoch(), lost);
                context.forward(new Record<>(guest, codec.encode(fact), now), WatchTopology.ESCALATIONS);
                LOG.warnf("%s: %s", guest, lost.describe());
            }
        }
        step.observations().forEach(metrics::observe);
    }

    private void index(String guest, GuestWatch watch) {
        Long before = dueAt.remove(guest);
        if (before != null) {
            Set<String> guests = dueIndex.get(before);
            guests.remove(guest);
            if (guests.isEmpty()) {
                dueIndex.remove(before);
            }
        }
        watcher.dueAtMs(watch).ifPresent(at -> {
            dueAt.put(guest, at);
            dueIndex.computeIfAbsent(at, t -> new TreeSet<>()).add(guest);
        });
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        RecordMetadata origin = context.recordMetadata().orElseThrow();
        LOG.warnf("dead-lettering %s-%d@%d: %s", origin.topic(), origin.partition(), origin.offset(), reason);
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(),
                DeadLetter.headers(reason, origin.topic(), origin.partition(), origin.offset(), "migration-watcher")),
                WatchTopology.DEAD_LETTER);
    }

    private GuestWatch load(byte[] bytes) {
        try {
            return codec.mapper().readValue(bytes, GuestWatch.class);
        } catch (IOException e) {
            throw new UncheckedIOException("a guest's watch state is unreadable", e);
        }
    }

    private byte[] save(GuestWatch watch) {
        try {
            return codec.mapper().writeValueAsBytes(watch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
