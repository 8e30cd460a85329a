package io.guestguard.cli;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.FleetView;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.history.LoggedEvent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Re-runs the pure decider over a log and compares what it decides with what was decided live.
 * Each guest's state is rebuilt from the first fact of the log; {@code compared} chooses the facts
 * whose decisions are checked (a replay {@code --from} a point still needs the facts before it).
 * Each fact is decided at the decision time the engine read (its record's timestamp); fleet-wide
 * values come from the live decision of the same fact, which recorded them. The replay stops at the
 * first difference.
 */
final class Replayer {

    /**
     * What a replay found: how much it replayed, the first difference, if any, and each guest's state
     * where the replay ended.
     */
    record Report(long facts, long decisions, Difference difference, Map<String, GuestState> states) {
    }

    /**
     * Where the live log and the replay part.
     *
     * @param where the causing fact's place in the log
     * @param what what differs, in words
     * @param live the decision in the log, or {@code null}
     * @param replayed the decision of the replay, or {@code null}
     */
    record Difference(String where, String what, CloudEvent<Decision> live, CloudEvent<Decision> replayed) {
    }

    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    private final Decider decider;
    private final Predicate<LoggedEvent> compared;
    private final Consumer<CloudEvent<Decision>> onDecision;
    private final Consumer<Long> onFact;

    Replayer(Decider decider, Predicate<LoggedEvent> compared, Consumer<CloudEvent<Decision>> onDecision,
             Consumer<Long> onFact) {
        this.decider = decider;
        this.compared = compared;
        this.onDecision = onDecision;
        this.onFact = onFact;
    }

    Report replay(EventLog log) {
        Map<String, CloudEvent<Decision>> live = log.decisions();
        Map<String, List<CloudEvent<Decision>>> byCause = new HashMap<>();
        live.values().forEach(d -> d.data().causeIds().forEach(cause ->
                byCause.computeIfAbsent(cause, c -> new java.util.ArrayList<>()).add(d)));
        Map<String, GuestState> states = new HashMap<>();
        long[] counts = new long[2];
        Difference[] first = new Difference[1];
        try {
            log.facts(logged -> {
                @SuppressWarnings("unchecked")
                CloudEvent<? extends Fact> fact = (CloudEvent<? extends Fact>) logged.event();
                List<CloudEvent<Decision>> recorded = byCause.getOrDefault(fact.id(), List.of());
                Outcome outcome = decider.decide(states.getOrDefault(fact.guestId(), GuestState.EMPTY), fact,
                        logged.decisionTime(), viewOf(recorded));
                states.put(fact.guestId(), outcome.state());
                counts[0]++;
                onFact.accept(counts[0]);
                if (!compared.test(logged)) {
                    return;
                }
                for (CloudEvent<Decision> decided : outcome.decisions()) {
                    CloudEvent<Decision> replayed = decided.withTraceparent(Traceparent.causedBy(fact, decided.id())); // as the engine writes it
                    counts[1]++;
                    onDecision.accept(replayed);
                    CloudEvent<Decision> logDecision = live.get(replayed.id());
                    if (logDecision == null) {
                        first[0] = new Difference(logged.where(), "the replay decides, the log has no such decision", null, replayed);
                    } else if (!logDecision.equals(comparable(replayed, logDecision))) {
                        // shown as compared: a field the log's decision predates is not shown as a difference
                        first[0] = new Difference(logged.where(), "the decisions differ", logDecision, comparable(replayed, logDecision));
                    }
                    if (first[0] != null) {
                        throw new Stop();
                    }
                }
                for (CloudEvent<Decision> logDecision : recorded) {
                    if (outcome.decisions().stream().noneMatch(d -> d.id().equals(logDecision.id()))) {
                        first[0] = new Difference(logged.where(), "the log has a decision the replay does not make", logDecision, null);
                        throw new Stop();
                    }
                }
            });
        } catch (Stop stop) {
            // first difference found
        }
        return new Report(counts[0], counts[1], first[0], states);
    }

    /**
     * The replayed decision as the log's can be compared with it. A decision recorded before decisions
     * kept their fact's own time ({@code factTime} absent) was made by an engine whose clock was the
     * fact's time, and stamped with it: it is compared without its time and {@code factTime}. One
     * recorded without a {@code traceparent} (before traces, or by an engine with
     * {@code guestguard.trace.propagate=false}) is compared without it; otherwise the trace is compared too.
     */
    static CloudEvent<Decision> comparable(CloudEvent<Decision> replayed, CloudEvent<Decision> logged) {
        if (logged.traceparent() == null) {
            replayed = replayed.withTraceparent(null);
        }
        if (logged.data().factTime() != null) {
            return replayed;
        }
        Decision d = replayed.data();
        return new CloudEvent<>(replayed.id(), replayed.source(), logged.time(), replayed.guestId(), replayed.guestSeq(),
                replayed.hostId(), replayed.epoch(), replayed.traceparent(), new Decision(d.action(), d.app(), d.attempt(), d.limit(), d.delayMs(),
                d.fromHost(), d.toHost(), d.epoch(), d.reason(), d.causeIds(), d.commandIds(), d.hostLoads()));
    }

    private static FleetView viewOf(List<CloudEvent<Decision>> recorded) {
        Map<String, Integer> loads = new TreeMap<>();
        recorded.forEach(d -> loads.putAll(d.data().hostLoads()));
        return loads.isEmpty() ? FleetView.EMPTY : new FleetView(loads);
    }
}
