package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;

/** Where the engine reports each decision as a span; {@link #NONE} with OpenTelemetry off. */
public interface DecisionSpans {

    DecisionSpans NONE = (fact, decision, factAppendedAtMs) -> {
    };

    /**
     * @param fact             the fact decided on (its {@code traceparent} the span's parent)
     * @param decision         the decision as written, with its own {@code traceparent}
     * @param factAppendedAtMs the broker's time of the fact: when the span starts
     */
    void decided(CloudEvent<? extends Fact> fact, CloudEvent<Decision> decision, long factAppendedAtMs);
}
