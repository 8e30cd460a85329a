package io.guestguard.policy.engine.tracing;

import io.guestguard.policy.engine.streams.DecisionSpans;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Traceparent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

import java.util.concurrent.TimeUnit;

/**
 * One OpenTelemetry span per decision, a child of the fact's {@code traceparent} (the engine's trace
 * of the fact when it carries none), from the broker's time of the fact to the decision, named by the
 * action, with the guest, the application, the action, the reason code and the ids as attributes.
 * With the SDK disabled ({@code quarkus.otel.sdk.disabled=true}, the default) the tracer is a no-op:
 * nothing is recorded or exported, and no exporter is started.
 */
public final class OtelDecisionSpans implements DecisionSpans {

    static final AttributeKey<String> GUEST = AttributeKey.stringKey("guestguard.guest");
    static final AttributeKey<String> APP = AttributeKey.stringKey("guestguard.app");
    static final AttributeKey<String> ACTION = AttributeKey.stringKey("guestguard.action");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("guestguard.reason");
    static final AttributeKey<String> FACT_ID = AttributeKey.stringKey("guestguard.fact.id");
    static final AttributeKey<String> FACT_TYPE = AttributeKey.stringKey("guestguard.fact.type");
    static final AttributeKey<String> DECISION_ID = AttributeKey.stringKey("guestguard.decision.id");
    static final AttributeKey<String> DECISION_TRACEPARENT = AttributeKey.stringKey("guestguard.decision.traceparent");

    private final Tracer tracer;

    public OtelDecisionSpans(OpenTelemetry otel) {
        this.tracer = otel.getTracer("io.guestguard.policy-engine");
    }

    @Override
    public void decided(CloudEvent<? extends Fact> fact, CloudEvent<Decision> decision, long factAppendedAtMs) {
        Decision d = decision.data();
        Traceparent parent = fact.traceparent() != null ? fact.traceparent() : Traceparent.of(fact.id());
        SpanContext remote = SpanContext.createFromRemoteParent(parent.traceId(), parent.parentId(),
                TraceFlags.fromHex(parent.flags(), 0), TraceState.getDefault());
        var span = tracer.spanBuilder("decide " + d.action())
                .setParent(Context.root().with(Span.wrap(remote)))
                .setSpanKind(SpanKind.CONSUMER)
                .setStartTimestamp(factAppendedAtMs, TimeUnit.MILLISECONDS)
                .setAttribute(GUEST, decision.guestId())
                .setAttribute(ACTION, d.action().name())
                .setAttribute(REASON, d.reason().code())
                .setAttribute(FACT_ID, fact.id())
                .setAttribute(FACT_TYPE, fact.type())
                .setAttribute(DECISION_ID, decision.id());
        if (d.app() != null) {
            span.setAttribute(APP, d.app());
        }
        if (decision.traceparent() != null) {
            span.setAttribute(DECISION_TRACEPARENT, decision.traceparent().toString());
        }
        span.startSpan().end();
    }
}
