package io.guestguard.policy.core;

import io.guestguard.policy.core.GuestState.AppBudget;
import io.guestguard.policy.core.Placement.Motive;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PackageSpec.AppPolicy;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RestartApp;

import java.util.Optional;
import java.util.Set;

/**
 * Applications and their restart budgets (step 1 of the {@link Decider}'s algorithm). An application
 * fails: it is restarted in place, after its backoff, while its failures within the failure window
 * stay within {@code service_restart} ({@link RestartLimit}); then the guest fails over. Failures
 * count at their decision time, so a guest's clock neither hides them from the window nor ages them
 * out, and the same failure reported twice (same pid) counts once. A fact about an application the
 * package does not name (or, without a package, beyond the {@value GuestState#MAX_APPS_WITHOUT_PACKAGE}
 * it is given budgets for) is an alert and counts nowhere.
 */
final class ApplicationPolicy {
    private final AppPolicy defaultPolicy;
    private final Moves moves;

    /**
     * @param defaultLimit the restart limit of applications of guests with no package applied
     */
    ApplicationPolicy(RestartLimit defaultLimit, Moves moves) {
        this.defaultPolicy = new AppPolicy("*", defaultLimit.max(), null, PackageSpec.Backoff.NONE);
        this.moves = moves;
    }

    /** An application started or stopped: nothing to decide, unless the package does not name it. */
    void reported(Turn t, String app, Fact reported) {
        notInPackage(t, app, reported);
    }

    void failed(Turn t, AppFailed failed) {
        String app = failed.app();
        if (notInPackage(t, app, failed) || beyondUnpackagedApps(t, app, failed)) {
            return;
        }
        AppPolicy policy = policyOf(t.state(), app);
        AppBudget budget = t.state().app(app);
        if (budget.counted(failed.pid())) {
            return; // the same failure reported again
        }
        PlacementPhase phase = t.placement().phase();
        if (phase == PlacementPhase.HALTING || phase == PlacementPhase.FENCING || phase == PlacementPhase.WAITING) {
            return; // the guest is leaving its host anyway
        }
        if (t.state().maintenance()) {
            t.decide(Action.HOLD, DecisionReason.PACKAGE_IN_MAINTENANCE.toReason(what(app, failed)))
                    .app(app).limit(policy.restartLimit()).from(t.placement().host()).record();
            return;
        }
        // The decider's clock, not the fact's own time: a guest whose clock is behind would otherwise
        // fall before the window every time, and one whose clock jumps ahead would push the
        // failures before it out of the window.
        AppBudget counted = budget.failedAt(t.state().clockMs(), policy.failureWindowMs(), failed);
        int attempt = Math.max(1, counted.failures());
        RestartLimit limit = new RestartLimit(policy.restartLimit());
        if (limit.allows(attempt)) {
            long delay = policy.backoff() == null ? 0 : policy.backoff().delayMs(attempt);
            // Counted with its restart's due time at once: one new budget map per failure, not two.
            t.state(t.state().failureCounted(app, delay > 0 ? counted.restartDueAt(t.state().clockMs() + delay) : counted));
            t.decide(Action.RESTART_APP, DecisionReason.APP_FAILED_WITHIN_LIMIT.toReason(app, failed.cause(), attempt,
                            limit.toString(), delay > 0 ? " after " + delay + " ms" : ""))
                    .app(app).attempt(attempt).limit(limit.max()).delayMs(delay).from(t.placement().host())
                    .command("restart", decision -> new RestartApp(app, attempt, limit.max(), delay, decision))
                    .record();
            return;
        }
        t.state(t.state().failureCounted(app, counted));
        if (t.state().spec() == null) {
            t.decide(Action.NONE, DecisionReason.RESTART_LIMIT_EXCEEDED_NO_PACKAGE.toReason(app, failed.cause(), limit.toString()))
                    .app(app).attempt(attempt).limit(limit.max()).record();
            return;
        }
        if (!t.placement().mayRun()) {
            return; // not placed or already down: there is no host to fail over from
        }
        String host = t.placement().host();
        if (!t.state().switchingEnabled()) {
            t.decide(Action.HOLD, DecisionReason.SWITCHING_DISABLED.toReason(what(app, failed) + ", restart limit " + limit + " used up",
                            t.guest(), host))
                    .app(app).attempt(attempt).limit(limit.max()).from(host).record();
            moves.mustLeave(t);
            return;
        }
        if (host != null && t.state().hosts().isDetached(host)) {
            t.decide(Action.HOLD, DecisionReason.HOST_DETACHED.toReason(what(app, failed) + ", restart limit " + limit + " used up",
                            host, t.guest(), host))
                    .app(app).attempt(attempt).limit(limit.max()).from(host).record();
            moves.mustLeave(t);
            return;
        }
        Set<String> leaving = host == null ? Set.of() : Set.of(host);
        Optional<HostChoice> target = HostChoice.choose(t.state(), leaving, t.view());
        if (target.isEmpty()) {
            moves.noEligibleHost(t, host, leaving).app(app).attempt(attempt).limit(limit.max()).record();
            moves.mustLeave(t);
            return;
        }
        String to = target.get().host();
        moves.leave(t, Action.FAILOVER, Motive.APP_FAILOVER, to, DecisionReason.RESTART_LIMIT_EXCEEDED.toReason(app,
                        failed.cause(), attempt, limit.toString(), t.guest(), host, to))
                .app(app).attempt(attempt).limit(limit.max()).loads(target.get().loadsUsed()).record();
    }

    /**
     * Whether the package (when there is one) does not name {@code app}: then the fact is answered
     * with an alert and counts nowhere, since the guest's reporter and its package disagree, and a
     * guest's state keeps budgets only for the applications its package names.
     */
    private boolean notInPackage(Turn t, String app, Fact reported) {
        PackageSpec spec = t.state().spec();
        if (spec == null || spec.application(app).isPresent()) {
            return false;
        }
        t.decide(Action.ALERT, DecisionReason.APP_NOT_IN_PACKAGE.toReason(t.guest(), app, reported.describe(), app))
                .app(app).from(t.placement().host()).record();
        return true;
    }

    /**
     * Whether a guest without a package already keeps budgets for as many applications as it may
     * ({@link GuestState#MAX_APPS_WITHOUT_PACKAGE}) and {@code app} is not one of them: an alert, and
     * the failure counts nowhere.
     */
    private boolean beyondUnpackagedApps(Turn t, String app, Fact reported) {
        GuestState state = t.state();
        if (state.spec() != null || state.apps().containsKey(app) || state.apps().size() < GuestState.MAX_APPS_WITHOUT_PACKAGE) {
            return false;
        }
        t.decide(Action.ALERT, DecisionReason.TOO_MANY_APPS_WITHOUT_PACKAGE.toReason(app, reported.describe(), t.guest(),
                        GuestState.MAX_APPS_WITHOUT_PACKAGE))
                .app(app).from(t.placement().host()).record();
        return true;
    }

    /** The failure in words, for the reasons that quote it (built only for those: failures are frequent). */
    private static String what(String app, AppFailed failed) {
        return app + " failed (" + failed.cause() + ")";
    }

    private AppPolicy policyOf(GuestState state, String app) {
        return state.spec() == null ? defaultPolicy : state.spec().application(app).orElseThrow();
    }
}
