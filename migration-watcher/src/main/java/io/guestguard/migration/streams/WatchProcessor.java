package io.guestguard.migration.streams;

import io.guestguard.protocol.KafkaBinding;
import io.guestguard.streams.RecordOrigin;
import io.guestguard.migration.watch.ContactWatcher;
import io.guestguard.migration.watch.ContactWatcher.Escalate;
import io.guestguard.migration.watch.ContactWatcher.SendRebind;
import io.guestguard.migration.watch.ContactWatcher.Step;
import io.guestguard.migration.watch.GuestWatch;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.DeadLetterCounts;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.FreeText;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.streams.CommitPacing;
import io.guestguard.streams.DeadLetterSink;
import io.guestguard.streams.PhasedPunctuation;
import io.guestguard.streams.StoredFormat;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs the pure {@link ContactWatcher} for the guests of this task's partitions:
 * <ul>
 *   <li>a fact: load the guest's {@link GuestWatch}, step, store it, write what the step asks for;</li>
 *   <li>a guest heartbeat: remembered in memory only (a beat per guest per second must not become a
 *       store write and a changelog record each), for a bounded number of guests ({@link RecentBeats});
 *       a restarted watcher counts every guest as heard at its start, so it gives each a full silence
 *       timeout. Only the beats of guests the watcher has something due for (a running guest's
 *       silence, a check, a migration) are read at all, and of those at most one per guest in
 *       {@link ContactWatcher#beatReadIntervalMs()} (a quarter of the silence timeout): no state
 *       depends on the others, so a storm of beats costs the watcher little
 *       more than Kafka's work (the beats it does not read are not checked either: they would change
 *       nothing);</li>
 *   <li>every {@code checkEvery} of wall-clock time: the guests whose deadline passed, from an
 *       in-memory index of deadlines rebuilt from the store at start.</li>
 * </ul>
 * <b>Its own backlog is not the guest's silence.</b> A {@code contact-lost} escalation (the engine
 * fails the guest over on it) is written only once the watcher has read its input up to the
 * check's deadline: it has processed a record appended at or after the deadline (its stream time;
 * both topics are stamped by the broker on append), or it has had nothing to read for
 * {@link #IDLE} after a record that had waited less than that, so its input is read to the end. Otherwise the escalation waits for the next check:
 * the reporter's answer may be among the records not read yet, behind a burst of beats. Rebinds
 * go out meanwhile; they only ask the reporter to answer.
 *
 * <p>With signatures on, a fact or a beat it reads counts only if a key entitled to it signed it
 * (docs/security.md), and its rebinds and {@code contact-lost} facts are signed with the watcher's key.
 *
 * <p>What cannot be read goes to the dead-letter topic with its reason; the watcher goes on. Nothing a
 * record or a stored watch holds can stop the stream thread:
 * <ul>
 *   <li>a record whose processing throws goes to the dead-letter topic with the exception as its
 *       reason (the pure step comes first, so a step that throws writes nothing);</li>
 *   <li>a stored watch that cannot be read (of a format newer than {@link GuestWatch#FORMAT}, written
 *       by a later version, corrupted, or forged on the changelog topic), or on which a step throws,
 *       is quarantined: its bytes go to the dead-letter topic with the reason, and the guest's watch
 *       starts again as unknown, which its next facts and beats establish again. A watch found unreadable at start is quarantined at the first check.</li>
 * </ul>
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
    /** How a guest's watch is stored: its JSON with its format ({@link GuestWatch#FORMAT}). */
    private final StoredFormat<GuestWatch> stored;
    private final RecordGate gate;
    /** The watcher's key: only it may rebind or say contact was lost. */
    private final Signer signer;
    private final String heartbeatsTopic;
    private final Duration checkEvery;
    private final WatchMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private DeadLetterSink deadLetters;
    private KeyValueStore<String, byte[]> store;
    /** Guest to its last heartbeat read since this task started, bounded. */
    private final RecentBeats beats;
    /** When each guest is due next, both ways. */
    private final Map<String, Long> dueAt = new HashMap<>();
    private final NavigableMap<Long, Set<String>> dueIndex = new TreeMap<>();
    /** Guests whose stored watch could not be read at start, with why: quarantined at the first check. */
    private final Map<String, String> unreadableAtStart = new TreeMap<>();
    /** When the last record was processed (wall clock); at start, as if one just was, since a backlog may wait. */
    private long lastReadAt;
    /**
     * How long the last record processed had waited since its append (the wall clock then, less its
     * broker timestamp); at start 0, as if caught up.
     */
    private long lastReadWaited;
    /** Guests whose escalation waits for the input to be read up to its deadline, to log each hold once. */
    private final Set<String> held = new TreeSet<>();
    private final WatchTraces traces;
    /** A live record's effects commit at once, a backlog's in larger transactions (the beats are most of it). */
    private final CommitPacing pacing = new CommitPacing();

    WatchProcessor(ContactWatcher watcher, EventCodec codec, String heartbeatsTopic, Duration checkEvery,
                   WatchMetrics metrics) {
        this(watcher, codec, WatcherTrust.off(codec), heartbeatsTopic, checkEvery, metrics, new WatchTraces(true));
    }

    WatchProcessor(ContactWatcher watcher, EventCodec codec, WatcherTrust trust, String heartbeatsTopic, Duration checkEvery,
                   WatchMetrics metrics, WatchTraces traces) {
        this.watcher = watcher;
        this.traces = traces;
        this.stored = new StoredFormat<>(codec.mapper(), GuestWatch.class, GuestWatch.FORMAT);
        this.gate = trust.gate();
        this.signer = trust.signer();
        this.heartbeatsTopic = heartbeatsTopic;
        this.checkEvery = checkEvery;
        this.metrics = metrics;
        this.beats = new RecentBeats(RecentBeats.CAPACITY, metrics::beatForgotten);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.deadLetters = new DeadLetterSink(context, WatchTopology.DEAD_LETTER, "migration-watcher");
        this.store = context.getStateStore(WatchTopology.STORE);
        long now = context.currentSystemTimeMs();
        lastReadAt = now;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> {
                beats.heard(entry.key, now);
                try {
                    index(entry.key, read(entry.value).heardAt(now));
                } catch (IOException | RuntimeException e) {
                    unreadableAtStart.put(entry.key, "it cannot be read: " + e.getMessage()); // forwarding waits for a check
                }
            });
        }
        // On one phase in every task: the checks of all partitions an instance reads fall into one transaction.
        PhasedPunctuation.schedule(context, checkEvery, this::timePassed);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        try {
            watch(record);
        } catch (RuntimeException e) {
            RecordMetadata origin = context.recordMetadata().orElseThrow();
            LOG.errorf(e, "processing %s-%d@%d failed", origin.topic(), origin.partition(), origin.offset());
            deadLetter(record, "processing failed: " + FreeText.clean(e.toString()));
        }
        if (pacing.due(context.currentSystemTimeMs(), record.timestamp())) {
            context.commit();
        }
    }

    private void watch(Record<String, byte[]> record) {
        long now = context.currentSystemTimeMs();
        lastReadAt = now;
        lastReadWaited = now - record.timestamp();
        boolean beat = context.recordMetadata().map(m -> m.topic().equals(heartbeatsTopic)).orElse(false);
        if (beat && (!dueAt.containsKey(record.key()) || heardWithin(record.key(), now))) {
            return; // nothing is due for this guest (not running, or unknown), or it was heard just now
        }
        CloudEvent<? extends Fact> fact;
        try {
            if (beat) {
                metrics.beatRead();
                if (gate.heartbeat(record.key(), record.value(), record.headers(), RecordOrigin.of(context, record)).data().role().equals("guest")) {
                    beats.heard(record.key(), now);
                }
                return; // a host beat from a supervisor older than host-heartbeats.v1: the engine's
            }
            fact = gate.fact(record.key(), record.value(), record.headers(), RecordOrigin.of(context, record));
        } catch (RejectedRecordException e) {
            deadLetter(record, e.reason());
            return;
        }
        String guest = record.key();
        traces.read(fact);
        GuestWatch watch = current(guest, now);
        Step step;
        try {
            step = watcher.onFact(watch, guest, fact, now);
        } catch (RuntimeException e) {
            if (store.get(guest) == null) {
                throw e; // not a stored watch's fault
            }
            quarantine(guest, "a step on it failed: " + e, now);
            step = watcher.onFact(current(guest, now), guest, fact, now);
        }
        apply(guest, step, now);
    }

    /**
     * Whether a beat of {@code guest} was read less than {@link ContactWatcher#beatReadIntervalMs()}
     * ago: another one now would move its last-heard time by less than a quarter of the silence
     * timeout, so a guest beating every second costs a decode and a signature check every few seconds.
     */
    private boolean heardWithin(String guest, long now) {
        OptionalLong heard = beats.lastHeard(guest);
        return heard.isPresent() && now - heard.getAsLong() < watcher.beatReadIntervalMs();
    }

    private void timePassed(long now) {
        new ArrayList<>(unreadableAtStart.keySet()).forEach(guest -> quarantine(guest, unreadableAtStart.get(guest), now));
        List<String> due = new ArrayList<>();
        dueIndex.headMap(now, true).values().forEach(due::addAll);
        for (String guest : due) {
            try {
                GuestWatch watch = current(guest, now);
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
            } catch (RuntimeException e) {
                // Its watch is what makes the step throw; one guest must not stop every check.
                LOG.errorf(e, "%s: the check of its watch failed", guest);
                quarantine(guest, "a check on it failed: " + e, now);
            }
        }
    }

    /**
     * Whether every record appended before {@code deadline} has been processed, as far as this task
     * can tell: it processed one appended at or after the deadline, or it has processed nothing for
     * {@link #IDLE} and the last record it did process had waited less than that. A pause alone
     * is not the end of the input: a starved or stalled thread (a machine out of CPU, a long commit, a
     * fetch that does not come back) processes nothing for seconds while minutes of records wait,
     * and a fleet of 10,000 simulated guests on two cores was failed over by thousands of escalations
     * judged in such pauses.
     */
    private boolean readUpTo(long deadline, long now) {
        return context.currentStreamTimeMs() >= deadline
                || (now - lastReadAt >= IDLE.toMillis() && lastReadWaited < IDLE.toMillis());
    }

    private static boolean escalates(Step step) {
        return step.effects().stream().anyMatch(Escalate.class::isInstance);
    }

    /** The guest's stored watch, with the latest beat read; one that cannot be read is quarantined. */
    private GuestWatch current(String guest, long now) {
        byte[] bytes = store.get(guest);
        GuestWatch watch = GuestWatch.UNKNOWN;
        if (bytes != null) {
            try {
                watch = read(bytes);
            } catch (IOException | RuntimeException e) {
                quarantine(guest, "it cannot be read: " + e.getMessage(), now);
            }
        }
        return beats.lastHeard(guest).stream().mapToObj(watch::heardAt).findFirst().orElse(watch);
    }

    /**
     * Puts a guest's stored watch aside: its bytes to the dead-letter topic with the reason, and the
     * guest is unknown again until its next facts and beats.
     */
    private void quarantine(String guest, String why, long now) {
        unreadableAtStart.remove(guest);
        index(guest, GuestWatch.UNKNOWN); // no longer due, whatever made it fail
        byte[] bytes = store.get(guest);
        if (bytes == null) {
            return;
        }
        String reason = FreeText.clean("the stored watch of guest " + guest + " was quarantined: " + why);
        LOG.errorf("%s; it is unknown again until its next facts and beats", reason);
        String changelog = context.applicationId() + "-" + WatchTopology.STORE + "-changelog";
        context.forward(new Record<>(guest, bytes, now, DeadLetter.headers(reason, changelog, context.taskId().partition(), -1,
                "migration-watcher")), WatchTopology.DEAD_LETTER);
        DeadLetterCounts.of("migration-watcher").count(reason);
        store.delete(guest);
        metrics.stateQuarantined();
    }

    /** Writes what a step asks for; every record is made first, so a step that cannot be written writes nothing. */
    private void apply(String guest, Step step, long now) {
        List<Runnable> writes = new ArrayList<>();
        for (var effect : step.effects()) {
            if (effect instanceof SendRebind rebind) {
                CloudEvent<Rebind> command = traces.rebind(new CloudEvent<>(rebind.commandId(), SOURCE, Instant.ofEpochMilli(now),
                        guest, null, rebind.host(), rebind.epoch(), new Rebind(rebind.host(), rebind.epoch(), rebind.causeId())),
                        rebind.causeId());
                Record<String, byte[]> out = new Record<>(guest, signer.encode(command), now, KafkaBinding.structured());
                writes.add(() -> {
                    context.forward(out, WatchTopology.REBINDS);
                    metrics.rebindSent();
                    LOG.infof("%s: rebind %d to %s (epoch %d) sent as %s", guest, rebind.attempt(), rebind.host(),
                            rebind.epoch(), rebind.commandId());
                });
            } else if (effect instanceof Escalate escalate) {
                var lost = escalate.lost();
                CloudEvent<Fact> fact = traces.started(new CloudEvent<Fact>(escalate.factId(), SOURCE, Instant.ofEpochMilli(now),
                        guest, null, lost.host(), lost.epoch(), lost));
                Record<String, byte[]> out = new Record<>(guest, signer.encode(fact), now, KafkaBinding.structured());
                writes.add(() -> {
                    context.forward(out, WatchTopology.ESCALATIONS);
                    LOG.warnf("%s: %s", guest, lost.describe());
                });
            }
        }
        byte[] state = save(step.state());
        store.put(guest, state);
        index(guest, step.state());
        writes.forEach(Runnable::run);
        if (!writes.isEmpty()) {
            context.commit(); // a rebind or a contact-lost fact is read once committed
        }
        step.observations().forEach(observation -> {
            metrics.observe(observation);
            if (observation instanceof ContactWatcher.SeqNeverAssigned never) {
                LOG.warnf("%s: facts numbered up to %d were read, but the reporter's next number is %d: "
                        + "a forged or corrupted record; those numbers no longer count", guest, never.highestRead(), never.nextSeq());
            } else if (observation instanceof ContactWatcher.SeqNotResent missed) {
                LOG.warnf("%s: facts %d to %d were not read, and the reporter no longer holds them "
                        + "(Kafka has them, or it dropped them): not waited for", guest, missed.from(), missed.to());
            }
        });
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
        deadLetters.forward(record, reason);
    }

    /** A stored watch, of {@link GuestWatch#FORMAT} or an older format; a newer one is refused ({@link StoredFormat}). */
    private GuestWatch read(byte[] bytes) throws IOException {
        return stored.read(bytes);
    }

    private byte[] save(GuestWatch watch) {
        return stored.write(watch);
    }
}
