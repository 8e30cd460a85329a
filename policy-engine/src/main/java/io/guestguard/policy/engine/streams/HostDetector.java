package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.KafkaBinding;
import io.guestguard.streams.RecordOrigin;
import io.guestguard.policy.engine.streams.DecisionTopology.HostDetection;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DetectorTick;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.HostAvailable;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.Ids;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.streams.DeadLetterSink;
import io.guestguard.streams.PhasedPunctuation;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * The host-loss detector: turns a host's stopped heartbeats into {@code host.lost} facts, one for
 * each guest placed on that host, and its first beat after that into {@code host.available} facts,
 * on {@code guest-log.v1}, where the decider fails the guests over or brings them back. It judges a
 * host only by what it has read of that host's partition of {@code host-heartbeats.v1}, never by its
 * own clock, so that neither its backlog, nor a stall of the engine, nor a pause of the broker is
 * ever a host's silence.
 *
 * <ol>
 *   <li>At every multiple of {@code checkEvery} on the wall clock, the detector task of a partition
 *       writes a tick ({@link DetectorTick}) into that partition, while the partition has a host that
 *       is not lost (otherwise there is nothing to judge). The topic is {@code LogAppendTime}: the
 *       broker stamps ticks and beats alike on append.</li>
 *   <li>It reads the partition in order and keeps a {@link TickClock} of it that only its ticks
 *       advance: by the broker time between two ticks, two check intervals at most. Each host's beat
 *       is placed on that clock.</li>
 *   <li>When it reads a tick back, it has read every beat appended before it: a host whose last
 *       beat lies {@code timeout} or more behind the clock is lost, once, and a {@code host.lost}
 *       fact goes to every guest whose placement (the global placements view) occupies it.</li>
 *   <li>A record appended {@link HostDetection#pauseAfterMs()} or more after the partition's
 *       previous one while a host was live (nothing at all, not even a tick, could be appended
 *       meanwhile: the broker paused) holds the clock for as long as the pause lasted, one timeout
 *       at most, so the hosts can reconnect and beat again before their silence counts. An engine stall does not look
 *       like that, since the hosts' beats are appended meanwhile; only in a partition where no host
 *       beats at all can it, and then it postpones a loss, by a timeout per pause at most.</li>
 *   <li>A beat from a host marked lost marks it alive and sends {@code host.available} to the guests
 *       told of its loss (wherever they run now: each still counts the host out), the guests placed
 *       on it and those waiting for any host.</li>
 *   <li>A host whose supervisor says it leaves ({@link HostLeaving}, on SIGTERM: a stop or restart on
 *       purpose, its guests left running) is detached: not lost, however silent, until
 *       {@link HostDetection#detachTimeout()} after its leaving on the same clock. Its next beat
 *       attaches it again (its guests were never told anything); no beat by then, and it is lost as in
 *       step 3, its {@code host.lost} marked {@code afterLeaving} (the decider alerts and holds its guests
 *       rather than fence it) unless {@link HostDetection#failOverAfterDetach()}. A killed or hung
 *       supervisor says nothing, so its host is lost after a timeout.</li>
 * </ol>
 * Everything it knows is in its store {@code host-watch} (each host's last beat, loss and guests
 * told; the partition's clock under {@link #CLOCK}), so a standby or a restarted detector goes on
 * exactly where the last one committed: host loss is a function of the partition's content. Fact
 * ids and times derive from the host and the append times they follow, so a detector that
 * detects the same loss again writes the same ids, which the decider drops. With signatures on, a
 * beat counts only if its own host signed it and a tick only if the detector did (anything else is
 * dead-lettered with the reason, and keeps no host alive), and what it writes is signed with the
 * detector's key.
 */
final class HostDetector implements Processor<String, byte[], String, byte[]> {

    static final String SOURCE = "/policy-engine/host-detector";
    /** The store key of the partition's clock: not a name, so never a host's. */
    static final String CLOCK = "#clock";
    private static final Logger LOG = Logger.getLogger(HostDetector.class);

    private final RecordGate gate;
    /** The detector's own key: only it may say a host is lost, or tick. */
    private final Signer signer;
    private final EngineTracing tracing;
    private final VerifiedPlacements verifiedPlacements;
    private final HostDetection detection;
    private final HostBeatAges beatAges;
    private ProcessorContext<String, byte[]> context;
    private DeadLetterSink deadLetters;
    private KeyValueStore<String, byte[]> watch;
    private PlacementsView placements;
    private int partition;
    /** Whether the two fields below were rebuilt from the store (before the first record, after any restore). */
    private boolean rebuilt;
    /** The latest append time read, a tick's or a beat's (-1: none). */
    private long lastAppendAt = -1;
    /** How many hosts the store holds. */
    private int hosts;
    /** How many of them are not lost: while none, there is nothing to judge and no tick is written. */
    private int live;

    HostDetector(EngineTrust trust, HostDetection detection, EngineTracing tracing, HostBeatAges beatAges) {
        this.tracing = tracing;
        this.gate = trust.gate();
        this.signer = trust.detector();
        this.verifiedPlacements = trust.placements();
        this.detection = detection;
        this.beatAges = beatAges;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.deadLetters = new DeadLetterSink(context, DecisionTopology.DEAD_LETTER, "policy-engine");
        this.watch = context.getStateStore(DecisionTopology.HOST_WATCH);
        this.placements = new PlacementsView(context.getStateStore(DecisionTopology.PLACEMENTS_VIEW), verifiedPlacements);
        this.partition = context.taskId().partition();
        // A tick after each multiple of the check interval on the wall clock, on one phase in every
        // task: the ticks of all partitions an instance reads then fall into one transaction.
        PhasedPunctuation.schedule(context, detection.checkEvery(), this::tick);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        rebuild();
        CloudEvent<?> event;
        try {
            event = gate.hostHeartbeat(record.key(), record.value(), record.headers(), RecordOrigin.of(context, record));
            if (event.data() instanceof DetectorTick tick && tick.partition() != partition) {
                throw new RejectedRecordException("a tick for partition " + tick.partition() + " read from partition "
                        + partition + ": a detector writes its ticks into the partition it reads");
            }
            if (!(event.data() instanceof DetectorTick) && hosts >= detection.maxHostsPerPartition()
                    && watch.get(record.key()) == null) {
                throw new RejectedRecordException("partition " + partition + " already watches " + hosts
                        + " hosts, the most it keeps; give host-heartbeats.v1 more partitions for a larger fleet");
            }
        } catch (RejectedRecordException e) {
            deadLetters.forward(record, e.reason());
            return;
        }
        long at = record.timestamp();
        TickClock clock = afterQuietFor(at);
        if (event.data() instanceof DetectorTick) {
            judge(clock.tick(at, detection.capMs()), at);
        } else if (event.data() instanceof HostLeaving) {
            leave(record.key(), at, clock);
        } else {
            beat(record.key(), at, clock);
        }
    }

    /**
     * Rebuilds what this processor keeps besides its store from the store, once, before its first
     * record: by then any restore (a standby taking over, a restart) is complete. Every record that
     * moves {@link #lastAppendAt} is a tick or a beat, whose times the store keeps.
     */
    private void rebuild() {
        if (rebuilt) {
            return;
        }
        rebuilt = true;
        try (KeyValueIterator<String, byte[]> all = watch.all()) {
            all.forEachRemaining(entry -> {
                if (entry.key.equals(CLOCK)) {
                    lastAppendAt = Math.max(lastAppendAt, TickClock.decode(entry.value).tickAt());
                } else {
                    hosts++;
                    HostWatch.decode(entry.value).ifPresent(h -> {
                        lastAppendAt = Math.max(lastAppendAt, h.beatAt());
                        live += h.lost() ? 0 : 1;
                    });
                }
            });
        }
    }

    private void tick(long now) {
        rebuild();
        if (live > 0) {
            writeTick(now);
        }
    }

    /**
     * Writes this partition's tick, which the broker stamps on append, and asks for its commit at once:
     * the detector reads its tick only once committed, and a host's loss is judged at the tick, so the
     * commit interval (a backstop of 100 ms) would add to every loss.
     */
    private void writeTick(long now) {
        CloudEvent<DetectorTick> tick = new CloudEvent<>(DetectorTick.key(partition) + "-" + now, SOURCE,
                Instant.ofEpochMilli(now), null, null, null, null, new DetectorTick(partition));
        context.forward(new Record<>(DetectorTick.key(partition), signer.encode(tick), now, KafkaBinding.structured()), DecisionTopology.TICKS);
        context.commit();
    }

    /**
     * The partition's clock before the record appended at {@code at}, held if nothing was appended
     * for {@link HostDetection#pauseAfterMs()} before it while a host was live (and ticks due).
     */
    private TickClock afterQuietFor(long at) {
        TickClock clock = TickClock.decode(watch.get(CLOCK));
        long quiet = lastAppendAt < 0 ? 0 : at - lastAppendAt;
        lastAppendAt = Math.max(lastAppendAt, at);
        if (live == 0 || quiet < detection.pauseAfterMs()) {
            return clock;
        }
        long hold = Math.min(quiet, detection.timeout().toMillis());
        LOG.infof("host-heartbeats partition %d: nothing was appended for %d ms (the broker paused, or the engine "
                + "stalled while no host of this partition beat): its hosts get %d ms before their silence counts again",
                partition, quiet, hold);
        TickClock held = clock.held(hold);
        watch.put(CLOCK, held.encode());
        return held;
    }

    private void beat(String host, long at, TickClock clock) {
        byte[] stored = watch.get(host);
        Optional<HostWatch> before = HostWatch.decode(stored);
        heard(stored, before);
        watch.put(host, new HostWatch(at, clock.at(at, detection.capMs())).encode());
        beatAges.observe(partition, host, 0);
        before.flatMap(HostWatch::detached).ifPresent(d -> LOG.infof("host %s beats again %d ms after it left: attached",
                host, at - d.leftAt()));
        if (before.isPresent() && before.get().lost()) {
            // Those told of the loss (they may run elsewhere by now and still count the host out),
            // the guests placed on it, and those waiting for any host.
            Set<String> told = before.get().told();
            LOG.infof("host %s beats again after it was lost", host);
            tell(at, (guest, p) -> told.contains(guest) || host.equals(p.host()) || p.phase() == PlacementPhase.WAITING
                    ? fact(Ids.derive("host-available-", host + "-" + at + "-" + guest, ""), at, guest, new HostAvailable(host))
                    : null);
        }
    }

    /**
     * Host {@code host}'s supervisor stops on purpose (its guests keep running): the host is detached
     * until {@code detach-timeout} after this on the clock, and lost only if it has not beaten by then.
     * A host already lost stays lost: its guests may be elsewhere by now.
     */
    private void leave(String host, long at, TickClock clock) {
        byte[] stored = watch.get(host);
        Optional<HostWatch> before = HostWatch.decode(stored);
        if (before.isPresent() && before.get().lost()) {
            LOG.infof("host %s says it leaves, but it was lost already: it stays lost until it beats again", host);
            return;
        }
        heard(stored, before);
        long watched = clock.at(at, detection.capMs());
        watch.put(host, new HostWatch(at, watched).detachedUntil(at, watched + detection.detachTimeout().toMillis()).encode());
        beatAges.forget(host);
        LOG.infof("host %s leaves (its supervisor stopped): detached, not lost, for up to %s unless it beats again", host,
                readable(detection.detachTimeout()));
    }

    /** Counts a host heard from, {@code stored} as its entry was: one more host if new, one more live one unless it was. */
    private void heard(byte[] stored, Optional<HostWatch> before) {
        if (stored == null) {
            hosts++;
        }
        if (before.isEmpty() || before.get().lost()) {
            live++;
        }
    }

    /** At a tick appended at {@code at}, with the clock moved to it: every host silent for a timeout (and past its detach) is lost. */
    private void judge(TickClock clock, long at) {
        watch.put(CLOCK, clock.encode());
        Map<String, HostWatch> silent = new TreeMap<>();
        try (KeyValueIterator<String, byte[]> all = watch.all()) {
            all.forEachRemaining(entry -> {
                if (entry.key.equals(CLOCK)) {
                    return;
                }
                HostWatch host = HostWatch.decode(entry.value).orElse(null);
                if (host != null && host.lost()) {
                    beatAges.refresh(entry.key, host.silence(clock));
                } else if (host != null && host.detached().isEmpty()) {
                    beatAges.observe(partition, entry.key, host.silence(clock));
                }
                if (host != null && host.lostAt(clock, detection.timeout().toMillis())) {
                    if (host.detached().isPresent()) {
                        LOG.infof("host %s is lost: it left at %s and did not come back within %s (on the detector's clock of "
                                + "partition %d)", entry.key, Instant.ofEpochMilli(host.detached().get().leftAt()),
                                readable(detection.detachTimeout()), partition);
                    } else {
                        LOG.infof("host %s is lost: silent for %d ms on the detector's clock of partition %d (its last beat "
                                + "was appended %d ms before the tick that found it)", entry.key, host.silence(clock), partition,
                                at - host.beatAt());
                    }
                    silent.put(entry.key, host);
                }
            });
        }
        if (silent.isEmpty()) {
            return;
        }
        // One pass over the placements for every host lost at once (a rack that fails together).
        Map<String, Set<String>> told = new TreeMap<>();
        silent.keySet().forEach(host -> told.put(host, new TreeSet<>()));
        tell(at, (guest, p) -> {
            if (!p.mayRun() || !silent.containsKey(p.host())) {
                return null;
            }
            told.get(p.host()).add(guest);
            boolean afterLeaving = silent.get(p.host()).detached().isPresent() && !detection.failOverAfterDetach();
            return fact(Ids.derive("host-lost-", p.host() + "-" + silent.get(p.host()).beatAt() + "-" + guest, ""), at, guest,
                    new HostLost(p.host(), afterLeaving));
        });
        silent.forEach((host, w) -> watch.put(host, w.lostFor(told.get(host)).encode()));
        live -= silent.size();
    }

    @Override
    public void close() {
        beatAges.forgetPartition(partition);
    }

    /**
     * Sends every guest of the placements view the fact {@code factFor} gives it, if any, and asks for
     * their commit at once: the decider reads them only once committed.
     */
    private void tell(long at, BiFunction<String, GuestPlacement, CloudEvent<Fact>> factFor) {
        placements.forEach((guest, p) -> {
            CloudEvent<Fact> event = factFor.apply(guest, p);
            if (event != null) {
                // A host's loss or return starts a chain: a trace of its own for each guest's fact.
                context.forward(new Record<>(guest, signer.encode(tracing.started(event)), at, KafkaBinding.structured()), DecisionTopology.DETECTED_FACTS);
                context.commit();
            }
        });
    }

    /** {@code 10 min}, {@code 90 s} or {@code 250 ms}: how a log line says a timeout. */
    static String readable(Duration d) {
        long ms = d.toMillis();
        return ms % 60_000 == 0 ? ms / 60_000 + " min" : ms % 1_000 == 0 ? ms / 1_000 + " s" : ms + " ms";
    }

    private static CloudEvent<Fact> fact(String id, long at, String guest, Fact fact) {
        return CloudEvent.ofGuest(id, SOURCE, Instant.ofEpochMilli(at), guest, fact);
    }
}
