package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns one fact into decisions: decode, load the guest's state, run the pure {@link Decider}, store
 * the new state, forward decisions and commands. A record that cannot be decoded, is not a fact, or
 * is keyed by another guest than it names goes to the dead-letter topic with its reason; the
 * processor goes on with the next record.
 */
final class DecideProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = Logger.getLogger(DecideProcessor.class);
    private static final String SERVICE = "policy-engine";

    private final Decider decider;
    private final EventCodec codec;
    private final String sourceTopic;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> states;

    DecideProcessor(Decider decider, EventCodec codec, String sourceTopic) {
        this.decider = decider;
        this.codec = codec;
        this.sourceTopic = sourceTopic;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.states = context.getStateStore(DecisionTopology.STATE_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        CloudEvent<? extends Fact> fact;
        try {
            fact = asFact(record);
        } catch (RejectedRecordException e) {
            deadLetter(record, e.reason());
            return;
        }
        GuestState state = load(record.key());
        Outcome outcome = decider.decide(state, fact);
        states.put(record.key(), save(outcome.state()));
        outcome.decisions().forEach(d -> forward(record, d, DecisionTopology.DECISIONS));
        outcome.commands().forEach(c -> forward(record, c, DecisionTopology.COMMANDS));
    }

    @SuppressWarnings("unchecked")
    private CloudEvent<? extends Fact> asFact(Record<String, byte[]> record) {
        CloudEvent<?> event = codec.decode(record.value());
        if (!(event.data() instanceof Fact)) {
            throw new RejectedRecordException("type " + event.type() + " is not a fact; " + sourceTopic + " carries facts only");
        }
        if (record.key() == null || !record.key().equals(event.guestId())) {
            throw new RejectedRecordException("record key '" + record.key() + "' does not match guestid '"
                    + event.guestId() + "'; facts must be keyed by their guest");
        }
        return (CloudEvent<? extends Fact>) event;
    }

    private void forward(Record<String, byte[]> cause, CloudEvent<?> event, String sink) {
        context.forward(new Record<>(event.key(), codec.encode(event), cause.timestamp()), sink);
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
