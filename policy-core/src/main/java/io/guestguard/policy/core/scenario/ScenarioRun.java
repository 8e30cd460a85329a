package io.guestguard.policy.core.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.Placement;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A scenario run through the decider, fact by fact from {@link GuestState#EMPTY}, and rendered in
 * the form {@code expected.json} is written in, so that the two compare as JSON trees.
 *
 * @param scenario what was run
 * @param steps    one per fact, in order
 */
public record ScenarioRun(Scenario scenario, List<Step> steps) {

    private static final ObjectMapper JSON = new EventCodec().mapper();

    public ScenarioRun {
        steps = List.copyOf(steps);
    }

    /** One fact, its decision time and what the decider made of it, with the state before. */
    public record Step(CloudEvent<? extends Fact> fact, Instant at, GuestState before, Outcome outcome) {
    }

    /**
     * Where the decider and {@code expected.json} part.
     *
     * @param where    {@code decision #3} or {@code the final state}
     * @param expected what the file says, null for nothing
     * @param actual   what the decider did, null for nothing
     */
    public record Difference(String where, JsonNode expected, JsonNode actual) {
    }

    /** Runs every fact of {@code scenario} through {@code decider} at its decision time. */
    public static ScenarioRun run(Scenario scenario, Decider decider) {
        GuestState state = GuestState.EMPTY;
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < scenario.facts().size(); i++) {
            CloudEvent<? extends Fact> fact = scenario.facts().get(i);
            Instant at = scenario.decisionTimes().get(i);
            Outcome outcome = decider.decide(state, fact, at, scenario.view());
            steps.add(new Step(fact, at, state, outcome));
            state = outcome.state();
        }
        return new ScenarioRun(scenario, steps);
    }

    /** Every decision with the commands it issued, and the final state, as {@code expected.json} has them. */
    public JsonNode rendered() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode decisions = root.putArray("decisions");
        for (Step step : steps) {
            for (CloudEvent<Decision> event : step.outcome().decisions()) {
                decisions.add(renderDecision(event, step.outcome().commands()));
            }
        }
        GuestState last = steps.isEmpty() ? GuestState.EMPTY : steps.get(steps.size() - 1).outcome().state();
        root.set("final", renderState(last));
        // Through text, so that numbers compare as the file's do (an int 1 is not a long 1 to Jackson).
        try {
            return JSON.readTree(JSON.writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render the decisions of " + scenario.name(), e);
        }
    }

    /** Every decision that differs from the scenario's {@code expected.json}, then the final state if it does. */
    public List<Difference> differences() {
        return differences(scenario.expected(), rendered());
    }

    /** Every decision of {@code actual} that differs from {@code expected}'s, then the final state if it does. */
    public static List<Difference> differences(JsonNode expected, JsonNode actual) {
        List<Difference> found = new ArrayList<>();
        JsonNode want = expected == null ? JSON.createArrayNode() : expected.path("decisions");
        JsonNode got = actual.path("decisions");
        for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
            if (!want.path(i).equals(got.path(i))) {
                found.add(new Difference("decision #" + (i + 1), want.get(i), got.get(i)));
            }
        }
        JsonNode wantFinal = expected == null ? null : expected.get("final");
        if (!Objects.equals(wantFinal, actual.get("final"))) {
            found.add(new Difference("the final state", wantFinal, actual.get("final")));
        }
        return found;
    }

    /** What happened, as crm_simulate would print it: each fact, then each decision with its sentence. */
    public String trace() {
        StringBuilder out = new StringBuilder();
        for (Step step : steps) {
            CloudEvent<? extends Fact> fact = step.fact();
            out.append(String.format("  %-8s %-7s %s%s%s%n", fact.id(), offset(step.at()), fact.data().describe(),
                    fact.epoch() == null ? "" : " [epoch " + fact.epoch() + "]",
                    fact.time().equals(step.at()) ? "" : " (its own time " + offset(fact.time()) + ")"));
            if (step.outcome().decisions().isEmpty() && sameExceptBookkeeping(step.outcome().state(), step.before())) {
                out.append("                   (changes nothing)\n");
            }
            for (CloudEvent<Decision> d : step.outcome().decisions()) {
                out.append("                   -> ").append(d.data().action()).append(": ")
                        .append(d.data().reason().text()).append('\n');
            }
        }
        return out.toString();
    }

    private static ObjectNode renderDecision(CloudEvent<Decision> event, List<CloudEvent<Command>> commands) {
        Decision d = event.data();
        ObjectNode node = JSON.createObjectNode();
        node.put("id", event.id());
        node.put("action", d.action().name());
        putIfSet(node, "app", d.app());
        putIfSet(node, "attempt", d.attempt());
        putIfSet(node, "limit", d.limit());
        putIfSet(node, "delayMs", d.delayMs());
        putIfSet(node, "fromHost", d.fromHost());
        putIfSet(node, "toHost", d.toHost());
        putIfSet(node, "epoch", d.epoch());
        if (!d.hostLoads().isEmpty()) {
            node.set("hostLoads", JSON.valueToTree(new TreeMap<>(d.hostLoads())));
        }
        node.put("reason", d.reason().code());
        node.set("causeIds", JSON.valueToTree(d.causeIds()));
        ArrayNode issued = node.putArray("commands");
        for (String id : d.commandIds()) {
            commands.stream().filter(c -> c.id().equals(id)).findFirst().ifPresent(c -> issued.add(renderCommand(c)));
        }
        if (issued.isEmpty()) {
            node.remove("commands");
        }
        return node;
    }

    private static ObjectNode renderCommand(CloudEvent<Command> command) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", command.id());
        node.put("type", Scenario.shortType(command.type()));
        putIfSet(node, "hostid", command.hostId());
        putIfSet(node, "epoch", command.epoch());
        node.set("data", JSON.valueToTree(command.data()));
        return node;
    }

    private static ObjectNode renderState(GuestState state) {
        Placement p = state.placement();
        ObjectNode node = JSON.createObjectNode();
        putIfSet(node, "host", p.host());
        node.put("epoch", p.epoch());
        node.put("phase", p.phase().name());
        putIfSet(node, "nextHost", p.nextHost());
        ObjectNode failures = JSON.createObjectNode();
        state.apps().forEach((app, budget) -> failures.put(app, budget.failures()));
        if (!failures.isEmpty()) {
            node.set("failures", failures);
        }
        if (!state.switchingEnabled()) {
            node.put("switching", "disabled");
        }
        if (state.maintenance()) {
            node.put("maintenance", true);
        }
        putHosts(node, "lostHosts", state.lostHosts());
        putHosts(node, "fencedHosts", state.fencedHosts());
        putHosts(node, "hostsInMaintenance", state.hostsInMaintenance());
        putHosts(node, "detachedHosts", state.detachedHosts());
        putHosts(node, "failedTargets", state.failedTargets());
        return node;
    }

    private static void putHosts(ObjectNode node, String field, Set<String> hosts) {
        if (!hosts.isEmpty()) {
            node.set(field, JSON.valueToTree(hosts));
        }
    }

    private static void putIfSet(ObjectNode node, String field, Object value) {
        if (value != null) {
            node.set(field, JSON.valueToTree(value));
        }
    }

    private static boolean sameExceptBookkeeping(GuestState a, GuestState b) {
        return Objects.equals(a.spec(), b.spec()) && a.placement().equals(b.placement())
                && a.apps().equals(b.apps()) && a.lostHosts().equals(b.lostHosts())
                && a.fencedHosts().equals(b.fencedHosts()) && a.hostsInMaintenance().equals(b.hostsInMaintenance())
                && a.detachedHosts().equals(b.detachedHosts()) && a.failedTargets().equals(b.failedTargets()) && a.switchingEnabled() == b.switchingEnabled()
                && a.maintenance() == b.maintenance() && Objects.equals(a.fence(), b.fence());
    }

    /** A time as its offset from {@link Scenario#START}, as {@code facts.json} writes it. */
    static String offset(Instant time) {
        Duration d = Duration.between(Scenario.START, time);
        StringBuilder s = new StringBuilder(d.isNegative() ? "-" : "+");
        d = d.abs();
        if (d.toHours() > 0) {
            s.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            s.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0 || d.isZero()) {
            s.append(d.toSecondsPart()).append('s');
        }
        if (d.toMillisPart() > 0) {
            s.append(d.toMillisPart()).append("ms");
        }
        return s.toString();
    }
}
