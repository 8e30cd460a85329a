package io.guestguard.protocol.history;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Ids;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A guest's chain, from what was read of its records: each fact in log order with the decisions it
 * caused, the commands each sent and what became of them, the commands the fact itself led to (a
 * migration's rebinds, which the migration watcher sends without a decision) and the placements it
 * led to. Pure: the records are read elsewhere ({@link GuestRecords} from a broker, {@code guestguard
 * why} from the whole log), so both explain a decision the same way.
 */
public final class GuestChain {

    /**
     * One fact and what followed from it.
     *
     * @param fact the fact
     * @param refused why the policy engine dead-lettered it (unsigned, not authorized, a copy...), so
     *                that nothing was decided on it; {@code null} when it was not
     * @param decisions the decisions it caused, in their order
     * @param commands the commands it led to without a decision (rebinds)
     * @param placements the placements it led to ({@code placements.v1})
     */
    public record Step(LoggedEvent fact, String refused, List<DecisionChain> decisions, List<DecisionChain.Sent> commands,
                       List<LoggedEvent> placements) {
    }

    private final List<LoggedEvent> facts;
    private final Map<String, LoggedEvent> factsById = new LinkedHashMap<>();
    private final Map<String, LoggedEvent> commandsById = new LinkedHashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<DecisionChain> uncaused = new ArrayList<>();

    private GuestChain(List<LoggedEvent> facts, Collection<CloudEvent<Decision>> decisions, List<LoggedEvent> commands,
                       List<LoggedEvent> placements, Map<String, String> refusedAt) {
        this.facts = List.copyOf(facts);
        facts.forEach(f -> factsById.putIfAbsent(f.event().id(), f));
        commands.forEach(c -> commandsById.putIfAbsent(c.event().id(), c));
        Map<String, List<DecisionChain>> byCause = new LinkedHashMap<>();
        Set<String> sentByDecisions = new HashSet<>();
        decisions.stream().sorted(Comparator.comparing(CloudEvent::time)).forEach(d -> {
            DecisionChain chain = explain(d);
            sentByDecisions.addAll(d.data().commandIds());
            chain.causes().stream().filter(c -> c.fact() != null).findFirst().ifPresentOrElse(
                    c -> byCause.computeIfAbsent(c.id(), id -> new ArrayList<>()).add(chain), () -> uncaused.add(chain));
        });
        Map<String, List<DecisionChain.Sent>> ledTo = new LinkedHashMap<>();
        for (LoggedEvent c : commands) {
            if (!sentByDecisions.contains(c.event().id()) && c.event().data() instanceof Command command
                    && factsById.containsKey(command.decisionId())) {
                ledTo.computeIfAbsent(command.decisionId(), id -> new ArrayList<>()).add(new DecisionChain.Sent(c.event().id(), c,
                        CommandOutcome.ofRebind(c.event().id(), c.decisionTime(), this.facts)));
            }
        }
        Map<String, List<LoggedEvent>> placed = new LinkedHashMap<>();
        for (LoggedEvent f : facts) {
            placed.put(Ids.derive("placement-", f.event().id(), ""), new ArrayList<>());
        }
        placements.forEach(p -> {
            List<LoggedEvent> of = placed.get(p.event().id());
            if (of != null) {
                of.add(p);
            }
        });
        for (LoggedEvent f : facts) {
            String id = f.event().id();
            steps.add(new Step(f, refusedAt.get(f.where()), byCause.getOrDefault(id, List.of()), ledTo.getOrDefault(id, List.of()),
                    placed.get(Ids.derive("placement-", id, ""))));
        }
    }

    /**
     * The chain of what was read.
     *
     * @param facts the guest's facts, in log order
     * @param decisions its decisions
     * @param commands its commands as read from the command topics (any order; may be empty)
     * @param placements its placements as read from {@code placements.v1} (may be empty)
     * @param refusedAt the reasons the policy engine gave for the facts it dead-lettered, by their
     *                  {@link LoggedEvent#where()} (may be empty)
     */
    public static GuestChain of(List<LoggedEvent> facts, Collection<CloudEvent<Decision>> decisions, List<LoggedEvent> commands,
                                List<LoggedEvent> placements, Map<String, String> refusedAt) {
        return new GuestChain(facts, decisions, commands, placements, refusedAt);
    }

    /** {@code decision} with its causes among the facts and its commands with what became of them. */
    public DecisionChain explain(CloudEvent<Decision> decision) {
        Decision d = decision.data();
        return new DecisionChain(decision,
                d.causeIds().stream().map(id -> new DecisionChain.Cause(id, factsById.get(id))).toList(),
                d.commandIds().stream().map(id -> new DecisionChain.Sent(id, commandsById.get(id),
                        CommandOutcome.of(decision, id, facts))).toList());
    }

    /** Each fact in log order with what followed from it. */
    public List<Step> steps() {
        return List.copyOf(steps);
    }

    /** Decisions none of whose causes is among the facts (older than what was read), in time order. */
    public List<DecisionChain> uncaused() {
        return List.copyOf(uncaused);
    }
}
