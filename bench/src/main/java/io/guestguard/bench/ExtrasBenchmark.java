package io.guestguard.bench;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.PlacementRecord;
import io.guestguard.policy.engine.tracing.OtelDecisionSpans;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Traceparent;
import io.opentelemetry.api.OpenTelemetry;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What two per-fact extras of the engine cost on its stream thread, in memory: the OpenTelemetry span
 * built for each decision when OpenTelemetry is off (its no-op tracer: {@link OtelDecisionSpans} over
 * {@link OpenTelemetry#noop()}, what the engine handed it before it skipped spans when off), and the
 * placement record of the state before and after each fact compared (whether a placement is written).
 * The facts are the core benchmark's mix, decided by the pure core first.
 */
final class ExtrasBenchmark {

    /** @param spanNanos per decision; @param placementNanos per fact; @param placementsPerFact records written per fact */
    record Result(int facts, int decisions, double spanNanos, double placementNanos, double placementsPerFact) {
    }

    private record Step(CloudEvent<Fact> fact, GuestState before, GuestState after, List<CloudEvent<Decision>> decisions) {
    }

    private ExtrasBenchmark() {
    }

    static Result run(int guests, int facts, int runs, long seed, PrintStream out) {
        Mixes.Mix mix = Mixes.randomMix(guests, facts, seed);
        Decider decider = new Decider(Mixes.DEFAULT_LIMIT);
        Map<String, GuestState> states = new HashMap<>();
        List<Step> steps = new ArrayList<>();
        int decisions = 0;
        for (CloudEvent<Fact> fact : mix.facts()) {
            GuestState before = states.getOrDefault(fact.guestId(), GuestState.EMPTY);
            Outcome outcome = decider.decide(before, fact, fact.time());
            states.put(fact.guestId(), outcome.state());
            // As the engine writes them: in the fact's trace.
            List<CloudEvent<Decision>> traced = outcome.decisions().stream()
                    .map(d -> d.withTraceparent(Traceparent.causedBy(fact, d.id()))).toList();
            decisions += traced.size();
            steps.add(new Step(fact, before, outcome.state(), traced));
        }
        OtelDecisionSpans spans = new OtelDecisionSpans(OpenTelemetry.noop());
        long bestSpans = Long.MAX_VALUE;
        long bestPlacements = Long.MAX_VALUE;
        int written = 0;
        for (int run = 0; run < runs + 1; run++) {
            long start = System.nanoTime();
            for (Step step : steps) {
                step.decisions().forEach(d -> spans.decided(step.fact(), d, step.fact().time().toEpochMilli()));
            }
            long spanNanos = System.nanoTime() - start;
            start = System.nanoTime();
            written = 0;
            for (Step step : steps) {
                if (!PlacementRecord.of(step.before()).equals(PlacementRecord.of(step.after()))) {
                    written++;
                }
            }
            long placementNanos = System.nanoTime() - start;
            if (run > 0) { // the first run warms up
                bestSpans = Math.min(bestSpans, spanNanos);
                bestPlacements = Math.min(bestPlacements, placementNanos);
            }
        }
        Result r = new Result(steps.size(), decisions, (double) bestSpans / Math.max(1, decisions),
                (double) bestPlacements / steps.size(), (double) written / steps.size());
        out.printf(Locale.ROOT, "mix: %,d facts, %,d decisions; best of %d runs after one warm-up%n", r.facts(), r.decisions(), runs);
        return r;
    }
}
