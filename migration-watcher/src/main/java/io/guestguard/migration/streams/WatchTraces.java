package io.guestguard.migration.streams;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Traceparent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The traces of what the watcher writes (docs/architecture.md, "The trace through the chain"): a
 * {@code rebind} continues the trace of the migration fact that caused it, with a span derived from
 * the rebind's id; a {@code contact-lost} starts a trace of its own. The causes' traces are kept in
 * memory for the rebinds sent again later, the newest {@value #CAPACITY} at most: a rebind whose
 * cause was forgotten (or read by another instance) is given the trace derived from the cause's id.
 */
final class WatchTraces {

    static final int CAPACITY = 4096;

    private final boolean propagate;
    private final Map<String, Traceparent> causes = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Traceparent> eldest) {
            return size() > CAPACITY;
        }
    };

    /** @param propagate whether the watcher's records carry a trace ({@code guestguard.trace.propagate}) */
    WatchTraces(boolean propagate) {
        this.propagate = propagate;
    }

    /** A fact read, whose trace a rebind it causes continues. */
    void read(CloudEvent<?> fact) {
        if (fact.traceparent() != null) {
            causes.put(fact.id(), fact.traceparent());
        }
    }

    /** {@code rebind}, caused by the fact {@code causeId}, in that fact's trace. */
    <D extends Payload> CloudEvent<D> rebind(CloudEvent<D> rebind, String causeId) {
        if (!propagate) {
            return rebind;
        }
        Traceparent cause = causes.get(causeId);
        return rebind.withTraceparent((cause != null ? cause : Traceparent.of(causeId)).derived(rebind.id()));
    }

    /** {@code fact}, which starts a chain, in a trace of its own. */
    <D extends Payload> CloudEvent<D> started(CloudEvent<D> fact) {
        return propagate ? fact.withTraceparent(Traceparent.start()) : fact;
    }
}
