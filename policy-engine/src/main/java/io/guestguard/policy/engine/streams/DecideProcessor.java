package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.FleetView;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Ids;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.streams.KeyValue;
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
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns one fact into decisions: decode, load the guest's state, run the pure {@link Decider} at the
 * record's timestamp (the broker's append time: the decision time), store the new state, forward
 * decisions, commands (guest commands keyed by guest, host commands keyed by the host that must
 * carry them out), the placement when it changed, and an applied package to the packages topic; and,
 * through {@link DeadlineTicks}, bring time to guests whose state waits for a deadline. A record that cannot be
 * decoded, is not a fact, or is keyed by another guest than it names goes to the dead-letter topic
 * with its reason; the processor goes on with the next record.
 */
final class DecideProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = Logger.getLogger(DecideProcessor.class);
    private static final String SERVICE = "policy-engine";

    private final Decider decider;
    private final EventCodec codec;
    private final RecordGate gate;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> states;
    private KeyValueStore<String, byte[]> placementsView;
    private DeadlineTicks deadlines;

    DecideProcessor(Decider decider, EventCodec codec) {
        this.decider = decider;
        this.codec = codec;
        this.gate = new RecordGate(codec);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.states = context.getStateStore(DecisionTopology.STATE_STORE);
        this.placementsView = context.getStateStore(DecisionTopology.PLACEMENTS_VIEW);
        this.deadlines = new DeadlineTicks(context, context.getStateStore(DecisionTopology.DEADLINES_STORE), codec);
        context.schedule(DecisionTopology.DEADLINE_CHECK, PunctuationType.WALL_CLOCK_TIME, deadlines::tick);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        CloudEvent<? extends Fact> fact;
        try {
            fact = gate.fact(record.key(), record.value());
        } catch (RejectedRecordException e) {
            deadLetter(record, e.reason());
            return;
        }
        GuestState state = load(record.key());
        // The decider's clock is the record's timestamp: guest-log.v1 is LogAppendTime, so it is the
        // broker's time of the fact, which no guest, host or operator sets and a replay reads again.
        Instant decisionTime = Instant.ofEpochMilli(record.timestamp());
        Outcome outcome = decider.decide(state, fact, decisionTime, viewFor(state));
        states.put(record.key(), save(outcome.state()));
        deadlines.update(record.key(), state, outcome.state());
        outcome.decisions().forEach(d -> forward(record, d.key(), d, DecisionTopology.DECISIONS));
        outcome.commands().forEach(c -> {
            if (c.data() instanceof HostCommand hostCommand) {
                forward(record, hostCommand.host(), c, DecisionTopology.HOST_COMMANDS);
            } else {
                forward(record, c.key(), c, DecisionTopology.GUEST_COMMANDS);
            }
        });
        if (fact.data() instanceof PackageApplied) {
            // The compacted packages topic: each guest's package as last applied, for tools and views.
            context.forward(new Record<>(record.key(), record.value(), record.timestamp()), DecisionTopology.PACKAGES);
        }
        GuestPlacement before = placementOf(state);
        GuestPlacement after = placementOf(outcome.state());
        if (!after.equals(before)) {
            forward(record, record.key(), new CloudEvent<>(Ids.derive("placement-", fact.id(), ""), Decider.SOURCE, decisionTime,
                    record.key(), null, after.host(), after.epoch(), after), DecisionTopology.PLACEMENTS);
        }
    }

    /** Guests per host from the shared placements view, read only when the package chooses by load. */
    private FleetView viewFor(GuestState state) {
        if (state.spec() == null || state.spec().failoverPolicy() != PackageSpec.FailoverPolicy.MIN_PACKAGE_NODE) {
            return FleetView.EMPTY;
        }
        Map<String, Integer> guestsPerHost = new TreeMap<>();
        try (KeyValueIterator<String, byte[]> all = placementsView.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                try {
                    GuestPlacement p = gate.placement(entry.key, entry.value).data();
                    if (p.occupiesHost()) {
                        guestsPerHost.merge(p.host(), 1, Integer::sum);
                    }
                } catch (RejectedRecordException e) {
                    LOG.warnf("placements view: skipping unreadable placement of %s: %s", entry.key, e.reason());
                }
            }
        }
        return new FleetView(guestsPerHost);
    }

    static GuestPlacement placementOf(GuestState state) {
        Map<String, Integer> failures = new TreeMap<>();
        state.apps().forEach((app, budget) -> failures.put(app, budget.failures()));
        return new GuestPlacement(state.placement().host(), state.placement().epoch(), state.placement().phase().name(), failures);
    }


    private void forward(Record<String, byte[]> cause, String key, CloudEvent<?> event, String sink) {
        context.forward(new Record<>(key, codec.encode(event), cause.timestamp()), sink);
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        RecordMetadata origin = context.recordMetadata().orElseThrow();
        LOG.warnf("dead-lettering %s-%d@%d: %s", origin.topic(), origin.partition(), origin.offset(), reason);
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(),
                DeadLetter.headers(reason, origin.topic(), origin.partition(), origin.offset(), SERVICE)),
                DecisionTopology.DEAD_LETTER);
    }

    private GuestState load(String guestId) {
        byte[] bytes = states.get(guestId);
        if (bytes == null) {
            return GuestState.EMPTY;
        }
        try {
            return codec.mapper().readValue(bytes, GuestState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("state of guest " + guestId + " is unreadable", e);
        }
    }

    private byte[] save(GuestState state) {
        try {
            return codec.mapper().writeValueAsBytes(state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
