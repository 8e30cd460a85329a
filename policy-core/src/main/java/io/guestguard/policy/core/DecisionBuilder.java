package io.guestguard.policy.core;

import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Decision.Action;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One decision being written: its action and reason, then only the parts that apply, by name
 * ({@code turn.decide(FENCE_HOST, why).from(lost).to(next).epoch(e).command("fence", ...).record()}).
 * {@link #record} gives the decision its id, derived from the fact's, and the commands theirs.
 */
final class DecisionBuilder {
    /** A command and the id it carries. */
    record Issued(String id, Command command) {
    }

    private final Turn turn;
    private final Action action;
    private final Decision.Reason reason;
    private String app;
    private Integer attempt;
    private Integer limit;
    private Long delayMs;
    private String from;
    private String to;
    private Long epoch;
    private Map<String, Integer> loads = Map.of();
    private final List<String> kinds = new ArrayList<>(1);
    private final List<Function<String, Command>> orders = new ArrayList<>(1);

    DecisionBuilder(Turn turn, Action action, Decision.Reason reason) {
        this.turn = turn;
        this.action = action;
        this.reason = reason;
    }

    /** The application it is about. */
    DecisionBuilder app(String name) {
        app = name;
        return this;
    }

    /** Which attempt this is (a restart, a fence). */
    DecisionBuilder attempt(Integer number) {
        attempt = number;
        return this;
    }

    /** The most attempts allowed ({@code null}: unlimited). */
    DecisionBuilder limit(Integer most) {
        limit = most;
        return this;
    }

    /** The delay before the command is carried out (a restart's backoff). */
    DecisionBuilder delayMs(long ms) {
        delayMs = ms;
        return this;
    }

    /** The host the decision is about or moves the guest from. */
    DecisionBuilder from(String host) {
        from = host;
        return this;
    }

    /** The host the guest goes to. */
    DecisionBuilder to(String host) {
        to = host;
        return this;
    }

    /** The placement's epoch it is decided for; guest commands carry it too. */
    DecisionBuilder epoch(Long placementEpoch) {
        epoch = placementEpoch;
        return this;
    }

    /** The host loads a host choice used ({@code min_package_node}), so that a replay chooses the same. */
    DecisionBuilder loads(Map<String, Integer> used) {
        loads = used;
        return this;
    }

    /** Issues a command with the id {@code kind-<fact id>}, built from the decision's id. */
    DecisionBuilder command(String kind, Function<String, Command> byDecision) {
        kinds.add(kind);
        orders.add(byDecision);
        return this;
    }

    /** Records the decision and its commands in the turn. */
    void record() {
        String id = turn.idFor("decision");
        List<Issued> issued = new ArrayList<>(orders.size());
        List<String> commandIds = new ArrayList<>(orders.size());
        for (int i = 0; i < orders.size(); i++) {
            issued.add(new Issued(turn.idFor(kinds.get(i)), orders.get(i).apply(id)));
            commandIds.add(issued.get(i).id());
        }
        Decision decision = new Decision(action, app, attempt, limit, delayMs, from, to, epoch, reason,
                List.of(turn.fact().id()), commandIds, loads, turn.fact().time());
        turn.record(id, decision, issued);
    }
}
