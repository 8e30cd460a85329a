package io.guestguard.policy.core;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.RestartApp;

import java.util.List;

/**
 * The policy decider, a pure function {@code (state, fact) -> (state', decisions)}: no clock (time is
 * the fact's time), no randomness (ids derive from the causing fact's id), no I/O. The same facts in
 * the same order always give the same decisions, which is what makes replay possible.
 *
 * <p>Today it restarts a failed application in place while its restart limit allows and records
 * that it gave up once the limit is used up.
 */
public final class Decider {

    /** The CloudEvents source of everything the decider emits. */
    public static final String SOURCE = "/policy-engine";

    private final RestartLimit limit;

    public Decider(RestartLimit limit) {
        this.limit = limit;
    }

    /** Decides on one fact about the guest whose state is {@code state}. */
    public Outcome decide(GuestState state, CloudEvent<? extends Fact> fact) {
        return fact.data().accept(new Fact.Visitor<>() {
            @Override
            public Outcome appStarted(AppStarted started) {
                return Outcome.unchanged(state);
            }

            @Override
            public Outcome appFailed(AppFailed failed) {
                return onFailure(state, fact, failed);
            }

            @Override
            public Outcome appStopped(AppStopped stopped) {
                return Outcome.unchanged(state);
            }
        });
    }

    private Outcome onFailure(GuestState state, CloudEvent<? extends Fact> fact, AppFailed failed) {
        GuestState.AppBudget budget = state.app(failed.app());
        if (budget.lastFailedPid() == failed.pid()) {
            return Outcome.unchanged(state); // the same failure reported again
        }
        int attempt = budget.restarts() + 1;
        String decisionId = "decision-" + fact.id();
        if (!limit.allows(attempt)) {
            GuestState next = state.with(failed.app(), new GuestState.AppBudget(budget.restarts(), failed.pid()));
            Decision decision = new Decision(Decision.Action.NONE, failed.app(), attempt, limit.max(),
                    DecisionReason.RESTART_LIMIT_EXCEEDED.toReason(failed.app(), failed.cause(), limit),
                    List.of(fact.id()), List.of());
            return new Outcome(next, List.of(emit(decisionId, fact, decision)), List.of());
        }
        String commandId = "restart-" + fact.id();
        GuestState next = state.with(failed.app(), new GuestState.AppBudget(attempt, failed.pid()));
        Decision decision = new Decision(Decision.Action.RESTART_APP, failed.app(), attempt, limit.max(),
                DecisionReason.APP_FAILED_WITHIN_LIMIT.toReason(failed.app(), failed.cause(), attempt, limit),
                List.of(fact.id()), List.of(commandId));
        Command command = new RestartApp(failed.app(), attempt, limit.max(), decisionId);
        return new Outcome(next, List.of(emit(decisionId, fact, decision)), List.of(emit(commandId, fact, command)));
    }

    private static <D extends io.guestguard.protocol.Payload> CloudEvent<D> emit(String id, CloudEvent<?> cause, D data) {
        return new CloudEvent<>(id, SOURCE, cause.time(), cause.guestId(), null, cause.hostId(), cause.epoch(), data);
    }
}
