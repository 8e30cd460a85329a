package io.guestguard.policy.core;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.Ids;
import io.guestguard.protocol.Payload;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The decider's work on one fact: the fact, its decision time and fleet values, the guest's state as
 * it changes, and the decisions and commands recorded so far. Policies read and change it; the
 * {@link Decider} makes one per fact and returns its {@link #outcome()}.
 */
final class Turn {
    private final CloudEvent<? extends Fact> fact;
    private final Instant decisionTime;
    private final FleetView view;
    private GuestState state;
    private boolean holdsMayEnd;
    private final List<CloudEvent<Decision>> decisions = new ArrayList<>();
    private final List<CloudEvent<Command>> commands = new ArrayList<>();

    Turn(CloudEvent<? extends Fact> fact, Instant decisionTime, GuestState state, FleetView view) {
        this.fact = fact;
        this.decisionTime = decisionTime;
        this.state = state;
        this.view = view;
    }

    CloudEvent<? extends Fact> fact() {
        return fact;
    }

    FleetView view() {
        return view;
    }

    GuestState state() {
        return state;
    }

    /** The guest's state from now on. */
    void state(GuestState next) {
        state = next;
    }

    Placement placement() {
        return state.placement();
    }

    /** The placement from now on; restart budgets stay. */
    void place(Placement next) {
        state = state.placed(next);
    }

    String guest() {
        return fact.guestId();
    }

    /** Whether the fact is about the current placement (or about no placement in particular). */
    boolean sameEpoch() {
        return fact.epoch() == null || fact.epoch() == placement().epoch();
    }

    /**
     * Something that held actions back ended (maintenance, disabled switching, a missing host): once
     * the fact is handled, what they held back is carried out ({@link HeldActions}).
     */
    void holdsMayEnd() {
        holdsMayEnd = true;
    }

    boolean holdsEnded() {
        return holdsMayEnd;
    }

    /** Begins a decision of {@code action} for {@code reason}; {@link DecisionBuilder#record} records it. */
    DecisionBuilder decide(Action action, Decision.Reason reason) {
        return new DecisionBuilder(this, action, reason);
    }

    Outcome outcome() {
        return new Outcome(state, decisions, commands);
    }

    /** {@code kind-<fact id>}, then {@code -2}, {@code -3} for the second and third decision on the fact. */
    String idFor(String kind) {
        return Ids.derive(kind + "-", fact.id(), decisions.isEmpty() ? "" : "-" + (decisions.size() + 1));
    }

    /** Records {@code decision} (its id {@code id}) and the commands it issued, in order. */
    void record(String id, Decision decision, List<DecisionBuilder.Issued> issued) {
        decisions.add(emit(id, null, null, decision));
        for (DecisionBuilder.Issued e : issued) {
            String host = e.command() instanceof HostCommand hc ? hc.host() : placement().host();
            // A guest command carries the placement it was decided for, so a reporter can tell it is stale.
            Long commandEpoch = decision.epoch() != null ? decision.epoch()
                    : placement().host() == null ? null : placement().epoch();
            commands.add(emit(e.id(), host, commandEpoch, e.command()));
        }
    }

    private <D extends Payload> CloudEvent<D> emit(String id, String host, Long epoch, D data) {
        return new CloudEvent<>(id, Decider.SOURCE, decisionTime, guest(), null, host, epoch, data);
    }
}
