package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadlineReached;
import io.guestguard.protocol.Ids;
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.trust.Signer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Brings time to the pure decider through the log. The decider has no clock of its own: when it
 * plans something by its clock (a fence not yet confirmed, to ask again), its state says when
 * ({@link GuestState#dueAtMs()}). This keeps those times, one per guest, in a store of its own (only
 * guests that wait for something are in it, so it stays small and needs no index in memory); every
 * time it is given, it writes a {@code deadline.reached} fact to the guest log for each guest whose
 * time has come by the engine's wall clock. The decider then acts on its own deadline against that
 * fact's decision time (the broker's time of its record), so a tick that comes early (an engine clock
 * ahead of the broker's) does nothing and the deadline is kept for the next one, and a replay sees the
 * same facts. The forward and the store change commit together (exactly once).
 */
final class DeadlineTicks {

    private final ProcessorContext<String, byte[]> context;
    private final KeyValueStore<String, Long> dueAt;
    /** The engine's: a deadline is the engine's fact. */
    private final Signer signer;

    DeadlineTicks(ProcessorContext<String, byte[]> context, KeyValueStore<String, Long> dueAt, Signer signer) {
        this.context = context;
        this.dueAt = dueAt;
        this.signer = signer;
    }

    /** Keeps {@code guest}'s due time as its state after a fact says; touches the store only when one is involved. */
    void update(String guest, GuestState before, GuestState after) {
        OptionalLong due = after.dueAtMs();
        if (due.isPresent()) {
            dueAt.put(guest, due.getAsLong());
        } else if (before.dueAtMs().isPresent()) {
            dueAt.delete(guest);
        }
    }

    /** Writes a tick for every guest due by {@code nowMs}; each is written again only after its tick is decided. */
    void tick(long nowMs) {
        List<KeyValue<String, Long>> due = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = dueAt.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value <= nowMs) {
                    due.add(entry);
                }
            });
        }
        for (KeyValue<String, Long> entry : due) {
            Instant dueAtTime = Instant.ofEpochMilli(entry.value);
            CloudEvent<DeadlineReached> fact = new CloudEvent<>(Ids.derive("deadline-", entry.key + "-" + entry.value + "-" + nowMs, ""),
                    Decider.SOURCE, Instant.ofEpochMilli(nowMs), entry.key, null, null, null,
                    new DeadlineReached(dueAtTime, "a fence not confirmed yet"));
            context.forward(new Record<>(entry.key, signer.encode(fact), nowMs, KafkaBinding.structured()), DecisionTopology.DEADLINE_FACTS);
            dueAt.delete(entry.key);
            context.commit(); // the decider reads the tick only once committed: not a commit interval later
        }
    }
}
