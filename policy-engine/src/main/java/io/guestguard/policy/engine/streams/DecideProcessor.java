package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.KafkaBinding;
import io.guestguard.streams.RecordOrigin;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.FleetView;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.Placement;
import io.guestguard.policy.core.PlacementRecord;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.DeadLetterCounts;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.FreeText;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Ids;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
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
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one fact into decisions: decode, load the guest's state, run the pure {@link Decider} at the
 * record's timestamp (the broker's append time: the decision time), store the new state, forward
 * decisions, commands (guest commands keyed by guest, host commands keyed by the host that must
 * carry them out), the placement when it changed, and an applied package to the packages topic; and,
 * through {@link DeadlineTicks}, bring time to guests whose state waits for a deadline. Each decision
 * and command carries the fact's trace ({@link EngineTracing}). A fact's commands ask for the
 * transaction to commit at once, paced by how long the fact waited ({@link #commitCommands}). A record that cannot be
 * decoded, is not a fact, or is keyed by another guest than it names goes to the dead-letter topic
 * with its reason; the processor goes on with the next record. With signatures on, the gate refuses
 * a fact, before anything else, unless a key entitled to it signed it, and a host's report about a
 * guest unless the guest's state names that host (docs/security.md); and
 * everything the processor writes is signed with the engine's key; an applied package goes to the
 * packages topic as the operator signed it.
 *
 * <p>Nothing a record holds can stop the stream thread:
 * <ul>
 *   <li>Every write of one record (the state, the package, what it forwards) is held until the record
 *       is done, so a record whose processing throws writes nothing but its dead letter, with the
 *       exception as the reason.</li>
 *   <li>A stored state that cannot be read (corrupted, forged on the changelog topic, which anyone
 *       with write access to the cluster can do, or of a format newer than {@link GuestState#FORMAT},
 *       written by a later version: {@link StoredFormat}), or on which deciding throws, is
 *       quarantined: its bytes go to the dead-letter topic with the reason, an {@code ALERT} decision
 *       ({@value #QUARANTINED}) names the guest, and the guest is rebuilt from its package and its
 *       placement ({@link StateRebuild}), on which the fact is decided.</li>
 * </ul>
 */
final class DecideProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = Logger.getLogger(DecideProcessor.class);
    private static final String SERVICE = "policy-engine";
    /** The reason code of the alert that a guest's state was quarantined. */
    static final String QUARANTINED = "STATE_QUARANTINED";

    private final Decider decider;
    /** How a guest's state is stored: its JSON with its format ({@link GuestState#FORMAT}). */
    private final StoredFormat<GuestState> stored;
    private final RecordGate gate;
    private final Signer signer;
    private final VerifiedPlacements verifiedPlacements;
    private ProcessorContext<String, byte[]> context;
    private DeadLetterSink deadLetters;
    private KeyValueStore<String, byte[]> states;
    private PlacementsView placementsView;
    /** Each guest's {@code package.applied} fact as last decided: what a quarantined state is rebuilt from. */
    private KeyValueStore<String, byte[]> packages;
    private DeadlineTicks deadlines;
    private final EngineMetrics metrics;
    private final EngineTracing tracing;
    /** The placements view counted by host, kept by the view's updater. */
    private final GuestsPerHost guestsPerHost;
    /** The states this processor wrote, decoded: read again without decoding while the store holds them. */
    private final WrittenStates written = new WrittenStates(WrittenStates.DEFAULT_CAPACITY);
    /** When a fact's commands ask for a commit at once ({@link #commitCommands}). */
    private final CommitPacing commitPacing = new CommitPacing();
    /** The writes of the record in hand, made once it is done. */
    private final List<Runnable> writes = new ArrayList<>();

    DecideProcessor(Decider decider, EventCodec codec) {
        this(decider, codec, EngineTrust.off(codec), EngineMetrics.none(), EngineTracing.DEFAULT, new GuestsPerHost());
    }

    DecideProcessor(Decider decider, EventCodec codec, EngineTrust trust, EngineMetrics metrics, EngineTracing tracing,
                    GuestsPerHost guestsPerHost) {
        this.decider = decider;
        this.guestsPerHost = guestsPerHost;
        this.metrics = metrics;
        this.tracing = tracing;
        this.stored = new StoredFormat<>(codec.mapper(), GuestState.class, GuestState.FORMAT);
        this.gate = trust.gate();
        this.signer = trust.engine();
        this.verifiedPlacements = trust.placements();
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.deadLetters = new DeadLetterSink(context, DecisionTopology.DEAD_LETTER, SERVICE);
        this.states = context.getStateStore(DecisionTopology.STATE_STORE);
        this.placementsView = new PlacementsView(context.getStateStore(DecisionTopology.PLACEMENTS_VIEW), verifiedPlacements);
        this.packages = context.getStateStore(DecisionTopology.PACKAGE_STORE);
        this.deadlines = new DeadlineTicks(context, context.getStateStore(DecisionTopology.DEADLINES_STORE), signer);
        PhasedPunctuation.schedule(context, DecisionTopology.DEADLINE_CHECK, deadlines::tick);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        writes.clear();
        try {
            decide(record);
        } catch (RuntimeException e) {
            writes.clear();
            RecordMetadata origin = context.recordMetadata().orElseThrow();
            LOG.errorf(e, "processing %s-%d@%d failed", origin.topic(), origin.partition(), origin.offset());
            deadLetter(record, "processing failed: " + FreeText.clean(e.toString()));
            return;
        }
        writes.forEach(Runnable::run);
    }

    private void decide(Record<String, byte[]> record) {
        CloudEvent<? extends Fact> fact;
        try {
            fact = gate.fact(record.key(), record.value(), record.headers(), RecordOrigin.of(context, record));
        } catch (RejectedRecordException e) {
            deadLetter(record, e.reason());
            return;
        }
        // The decider's clock is the record's timestamp: guest-log.v1 is LogAppendTime, so it is the
        // broker's time of the fact, which no guest, host or operator sets and a replay reads again.
        Instant decisionTime = Instant.ofEpochMilli(record.timestamp());
        GuestState state = load(record, fact);
        try {
            GuestState known = state;
            gate.requireHostOfGuest(fact, known::hostsThatMayHoldIt);
        } catch (RejectedRecordException e) {
            writes.clear(); // a quarantine of the stored state waits for a fact that may be decided
            deadLetter(record, e.reason());
            return;
        }
        Outcome outcome;
        try {
            outcome = decider.decide(state, fact, decisionTime, viewFor(state, fact));
        } catch (RuntimeException e) {
            if (state == GuestState.EMPTY || !writes.isEmpty()) {
                throw e; // not the stored state's fault, or it was rebuilt already
            }
            state = quarantine(record, fact, states.get(record.key()), "deciding on it failed: " + e);
            outcome = decider.decide(state, fact, decisionTime, viewFor(state, fact));
        }
        GuestState next = outcome.state();
        byte[] newState = save(next);
        GuestState decidedOn = state;
        writes.add(() -> {
            states.put(record.key(), newState);
            written.wrote(record.key(), newState, next);
        });
        writes.add(() -> deadlines.update(record.key(), decidedOn, next));
        outcome.decisions().forEach(d -> {
            CloudEvent<Decision> traced = tracing.continued(fact, d);
            forward(record, d.key(), traced, DecisionTopology.DECISIONS);
            writes.add(() -> metrics.decided(d.data(), record.timestamp(), System.currentTimeMillis()));
            writes.add(() -> tracing.decided(fact, traced, record.timestamp()));
        });
        outcome.commands().forEach(c -> {
            CloudEvent<?> traced = tracing.continued(fact, c);
            if (c.data() instanceof HostCommand hostCommand) {
                forward(record, hostCommand.host(), traced, DecisionTopology.HOST_COMMANDS);
            } else {
                forward(record, c.key(), traced, DecisionTopology.GUEST_COMMANDS);
            }
        });
        if (!outcome.commands().isEmpty()) {
            writes.add(() -> commitCommands(record));
        }
        if (fact.data() instanceof PackageApplied) {
            // The compacted packages topic: each guest's package as last applied, for tools and views.
            // Kept and copied as structured mode, whichever mode the fact came in: read back without its headers.
            byte[] applied = gate.structured(record.value(), record.headers());
            writes.add(() -> context.forward(new Record<>(record.key(), applied, record.timestamp(), KafkaBinding.structured()),
                    DecisionTopology.PACKAGES));
            writes.add(() -> packages.put(record.key(), applied));
        }
        GuestPlacement before = PlacementRecord.of(state);
        GuestPlacement after = PlacementRecord.of(outcome.state());
        if (!after.equals(before)) {
            forward(record, record.key(), new CloudEvent<>(Ids.derive("placement-", fact.id(), ""), Decider.SOURCE, decisionTime,
                    record.key(), null, after.host(), after.epoch(), after), DecisionTopology.PLACEMENTS);
        }
    }

    /**
     * Guests per host of the package's hosts, read only when the package chooses by load: the package
     * the fact applies, if it applies one (an {@code auto_run} start chooses by it), else the state's.
     */
    private FleetView viewFor(GuestState state, CloudEvent<? extends Fact> fact) {
        PackageSpec spec = fact.data() instanceof PackageApplied applied ? applied.spec() : state.spec();
        if (spec == null || spec.failoverPolicy() != PackageSpec.FailoverPolicy.MIN_PACKAGE_NODE) {
            return FleetView.EMPTY;
        }
        return guestsPerHost.of(spec.hosts());
    }

    /**
     * Asks for the commit of a fact's commands at once if {@link CommitPacing} says so. A command's reader
     * (a reporter waiting to restart, a supervisor to start or fence) sees nothing before the commit, and
     * waiting for the interval's end cost a restart 4 ms at the median when it was 10 ms; it is a 100 ms
     * backstop now (docs/benchmarks.md, "Commands committed at once"). A live fact's commands commit at once;
     * while a backlog is worked off, commits come less often the longer its facts waited (each commit
     * blocks the stream thread), the interval the backstop. The rule decides only when a transaction
     * commits, never what it holds.
     */
    private void commitCommands(Record<String, byte[]> record) {
        if (commitPacing.due(context.currentSystemTimeMs(), record.timestamp())) {
            context.commit();
        }
    }

    private void forward(Record<String, byte[]> cause, String key, CloudEvent<?> event, String sink) {
        Record<String, byte[]> out = new Record<>(key, signer.encode(event), cause.timestamp(), KafkaBinding.structured());
        writes.add(() -> context.forward(out, sink));
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        deadLetters.forward(record, reason);
    }

    /** The guest's stored state; one that cannot be read is quarantined and rebuilt. */
    private GuestState load(Record<String, byte[]> record, CloudEvent<? extends Fact> fact) {
        byte[] bytes = states.get(record.key());
        if (bytes == null) {
            return GuestState.EMPTY;
        }
        GuestState mine = written.find(record.key(), bytes);
        if (mine != null) {
            return mine; // what this processor decided and wrote: checked then, not again
        }
        try {
            GuestState state = stored.read(bytes);
            if (state.placement() == null || state.placement().phase() == null || state.placement().motive() == null) {
                return quarantine(record, fact, bytes, "it has no complete placement");
            }
            return state;
        } catch (StoredFormat.NewerFormatException e) {
            return quarantine(record, fact, bytes, e.getMessage()); // an engine rolled back mid-upgrade
        } catch (IOException | RuntimeException e) {
            return quarantine(record, fact, bytes, "it cannot be read: " + e.getMessage());
        }
    }

    /**
     * Puts a guest's stored state aside: its bytes to the dead-letter topic, an alert naming the guest,
     * and the state rebuilt from its package and placement, which the caller decides the fact on.
     */
    private GuestState quarantine(Record<String, byte[]> record, CloudEvent<? extends Fact> fact, byte[] bytes, String why) {
        String guest = record.key();
        String reason = FreeText.clean("the stored state of guest " + guest + " was quarantined: " + why);
        GuestState rebuilt = StateRebuild.of(knownPackage(guest), placementsView.get(guest), record.timestamp());
        Placement placement = rebuilt.placement();
        LOG.errorf("%s; rebuilt from its %s and its %s", reason, rebuilt.spec() == null ? "(unknown) package" : "package",
                placement.host() == null ? "(unknown) placement" : "placement on " + placement.host() + " at epoch " + placement.epoch());
        String changelog = context.applicationId() + "-" + DecisionTopology.STATE_STORE + "-changelog";
        Record<String, byte[]> dead = new Record<>(guest, bytes, record.timestamp(),
                DeadLetter.headers(reason, changelog, context.taskId().partition(), -1, SERVICE));
        writes.add(() -> {
            context.forward(dead, DecisionTopology.DEAD_LETTER);
            DeadLetterCounts.of(SERVICE).count(reason);
        });
        Long epoch = placement.host() == null ? null : placement.epoch();
        String text = reason + "; " + guest + " is rebuilt from " + (rebuilt.spec() == null ? "no package (none is known)" : "its package")
                + " and " + (placement.host() == null ? "no placement (none is known)" : "its placement: " + placement.phase()
                + " on " + placement.host() + " as epoch " + epoch + ", " + rebuilt.apps().size() + " application budget(s) kept")
                + "; lost and fenced hosts, holds, maintenance and a move in progress are forgotten: check the guest by hand";
        Decision alert = new Decision(Decision.Action.ALERT, null, null, null, null, placement.host(), null, epoch,
                new Decision.Reason(QUARANTINED, text), List.of(fact.id()), List.of(), Map.of());
        forward(record, guest, tracing.continued(fact, new CloudEvent<>(Ids.derive("quarantine-", fact.id(), ""), Decider.SOURCE,
                Instant.ofEpochMilli(record.timestamp()), guest,
                null, placement.host(), epoch, alert)), DecisionTopology.DECISIONS);
        return rebuilt;
    }

    /** The guest's package as last applied, or {@code null} if none is known or it cannot be read. */
    private PackageSpec knownPackage(String guest) {
        byte[] applied = packages.get(guest);
        if (applied == null) {
            return null;
        }
        try {
            return gate.fact(guest, applied).data() instanceof PackageApplied p ? p.spec() : null;
        } catch (RejectedRecordException e) {
            LOG.warnf("the stored package of %s is unreadable too: %s", guest, e.reason());
            return null;
        }
    }

    private byte[] save(GuestState state) {
        return stored.write(state);
    }
}
