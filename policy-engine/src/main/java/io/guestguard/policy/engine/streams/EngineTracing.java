package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Traceparent;

/**
 * What the engine does about traces (docs/architecture.md, "The trace through the chain"): each
 * decision and command it writes carries the trace of the fact that caused it, with a span derived
 * from its own id ({@link Traceparent#causedBy}: a replay derives the same); the detector's facts
 * start a trace each; and each decision is handed to {@code spans} (OpenTelemetry's export, when on).
 *
 * @param propagate whether the engine's records carry a {@code traceparent}: off only while a fleet
 *                  rolls from a release before traces, whose readers refuse a signed one they do not know
 * @param spans     where each decision's span goes
 */
public record EngineTracing(boolean propagate, DecisionSpans spans) {

    /** Traces on, no export: tests and benchmarks. */
    public static final EngineTracing DEFAULT = new EngineTracing(true, DecisionSpans.NONE);

    /** {@code output}, written because of {@code cause}, in the cause's trace. */
    <D extends Payload> CloudEvent<D> continued(CloudEvent<?> cause, CloudEvent<D> output) {
        return propagate ? output.withTraceparent(Traceparent.causedBy(cause, output.id())) : output;
    }

    /** {@code fact}, which starts a chain, in a trace of its own. */
    <D extends Payload> CloudEvent<D> started(CloudEvent<D> fact) {
        return propagate && fact.traceparent() == null ? fact.withTraceparent(Traceparent.start()) : fact;
    }

    /** A decision written, as it was written: for its span. */
    void decided(CloudEvent<? extends Fact> fact, CloudEvent<Decision> decision, long factAppendedAtMs) {
        spans.decided(fact, decision, factAppendedAtMs);
    }
}
