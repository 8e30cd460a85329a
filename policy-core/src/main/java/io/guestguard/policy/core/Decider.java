package io.guestguard.policy.core;

import io.guestguard.policy.core.GuestState.AppBudget;
import io.guestguard.policy.core.Placement.Motive;
import io.guestguard.policy.core.Placement.Phase;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.DeadlineReached;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.GuestHaltFailed;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStartFailed;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostAvailable;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.Ids;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PackageSpec.AppPolicy;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.ReporterStarted;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.StartGuest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The policy decider, a pure function {@code (state, fact, decision time, view) -> (state', decisions,
 * commands)}: no clock of its own (its clock is the decision time the shell gives it with each fact:
 * the broker's time of the fact's record, never a time a guest, host or operator stamped), no
 * randomness (ids derive from the causing fact's id), no I/O, no framework. The same facts in the
 * same order, with the same decision times and the same recorded fleet values, always give the same
 * decisions, which is what makes replay possible.
 *
 * <p>What it decides, in Serviceguard's terms:
 * <ol>
 *   <li>An application fails: restart it in place, after its backoff, while its failures within the
 *       failure window stay within {@code service_restart}; then fail the guest over: halt it on its
 *       host, and start it on the chosen host once the halt is confirmed. Failures count at their
 *       decision time, so a guest's clock neither hides them from the window nor ages them out.</li>
 *   <li>A host is lost: fence it (through a surviving host), then start its guest elsewhere; or start
 *       at once if the package chose not to wait for fencing. A fence that is not confirmed is asked
 *       again after 60 s and 120 s more, then alerted 240 s later (time reaches the decider through
 *       {@code deadline.reached} facts the engine writes).</li>
 *   <li>A start fails: try the next eligible host (never, in this move, the host the guest's
 *       applications failed on). No host is eligible: alert, and start (or fail over) as soon as one
 *       is available again.</li>
 *   <li>A more preferred host comes back and failback is automatic: move the guest back.</li>
 *   <li>Operators halt, run, move and migrate packages, enable or disable switching, and put packages
 *       or hosts in maintenance; maintenance and disabled switching turn actions into holds, and what
 *       they held back (a failover, leaving a lost host, restarting a guest that went down) is done
 *       when they end. A run starts a new move, so any host may be tried again. A host put in
 *       maintenance with the guest on it moves the guest off it. A halt follows the guest when a live
 *       migration completes during it, and is carried out by the fence when the guest's host is being
 *       fenced.</li>
 *   <li>An operator's migrate asks the supervisor of the running guest's host to live-migrate it to an
 *       eligible target ({@code MigrateGuest}, stamped with the current epoch); the placement does not
 *       change until the migration completes.</li>
 *   <li>A live migration to a host the package lists moves the placement there with epoch + 1 and
 *       leaves every restart budget as it was; one to a host it does not list is an alert.</li>
 *   <li>A host refuses a command about the current placement ({@code command-refused}): alert and
 *       change nothing, since a person must look (a fence hook that did not confirm, a start refused
 *       because the guest still runs elsewhere). A refusal of an older epoch's command is dropped
 *       like every fact about an older epoch.</li>
 * </ol>
 * A guest is never started while a previous placement may still run: a start waits for the halt to
 * be confirmed or the host to be fenced (unless the package explicitly does not wait for fencing).
 * Facts about an older epoch and facts seen before change nothing; a reporter's resend is told by its
 * sequence number ({@link Numbering}). A fact about an application the package does not name is an
 * alert and counts nowhere; the state keeps only what the package names ({@link GuestState}).
 */
public final class Decider {

    /** The CloudEvents source of everything the decider emits. */
    public static final String SOURCE = "/policy-engine";

    /** Fences asked at most for one placement before the decider alerts instead. */
    static final int FENCE_ATTEMPTS = 3;
    /** The wait after the first fence before it is asked again; it doubles after each further one. */
    static final long FENCE_RETRY_MS = 60_000;

    /** How long to wait for a fence asked {@code attempts} times (none could be asked: the first wait). */
    static long fenceDelayMs(int attempts) {
        return FENCE_RETRY_MS << Math.max(0, attempts - 1);
    }

    private final AppPolicy defaultPolicy;

    /**
     * @param defaultLimit the restart limit for applications of guests with no package applied
     */
    public Decider(RestartLimit defaultLimit) {
        this.defaultPolicy = new AppPolicy("*", "exec", null, defaultLimit.max(), null, PackageSpec.Backoff.NONE);
    }

    /** Decides on one fact about a guest that needs no fleet-wide values. */
    public Outcome decide(GuestState state, CloudEvent<? extends Fact> fact, Instant decisionTime) {
        return decide(state, fact, decisionTime, FleetView.EMPTY);
    }

    /**
     * Decides on one fact about the guest whose state is {@code state}.
     *
     * @param decisionTime the time the decider's clock reads for this fact: the broker's time of the
     *                     fact's record on {@code guest-log.v1} (its append time), which no guest, host or
     *                     operator controls and a replay reads again from the same record. Every
     *                     duration the decider keeps (failure windows, the duplicate horizon, fence
     *                     retries) runs on it, and it stamps what the fact leads to. The fact's own
     *                     {@code time} is only recorded ({@link Decision#factTime()}).
     */
    public Outcome decide(GuestState state, CloudEvent<? extends Fact> fact, Instant decisionTime, FleetView view) {
        String key = RecentFacts.key(fact);
        if (state.recentFacts().containsKey(key)) {
            return Outcome.unchanged(state);
        }
        Numbering numbering = Numbering.of(state, fact);
        if (numbering == Numbering.RESENT) {
            return Outcome.unchanged(state);
        }
        GuestState seen = state.seen(key, fact.guestSeq(), decisionTime.toEpochMilli());
        if (fact.guestSeq() != null) {
            seen = numbering.record(seen, fact.guestSeq());
        }
        if (fact.epoch() != null && fact.epoch() < state.placement().epoch()) {
            return Outcome.unchanged(seen); // about a placement that is over
        }
        Step step = new Step(fact, decisionTime, seen, view);
        fact.data().accept(step);
        step.afterFact(numbering, state.guestSeqs());
        return step.outcome();
    }

    /** The work on one fact: a visitor that accumulates the new state, decisions and commands. */
    private final class Step implements Fact.Visitor<Void> {
        private final CloudEvent<? extends Fact> fact;
        private final Instant decisionTime;
        private final FleetView view;
        private GuestState state;
        private final List<CloudEvent<Decision>> decisions = new ArrayList<>();
        private final List<CloudEvent<Command>> commands = new ArrayList<>();

        Step(CloudEvent<? extends Fact> fact, Instant decisionTime, GuestState state, FleetView view) {
            this.fact = fact;
            this.decisionTime = decisionTime;
            this.state = state;
            this.view = view;
        }

        Outcome outcome() {
            return new Outcome(state, decisions, commands);
        }

        /**
         * What every fact is followed by, whatever its type: the alert its sequence number calls for,
         * a fence that is due again, and the host sets kept to the hosts that matter.
         */
        void afterFact(Numbering numbering, GuestSeqs before) {
            Decision.Reason reason = switch (numbering) {
                case JUMP -> DecisionReason.SEQUENCE_JUMP.toReason(guest(), fact.id(), fact.guestSeq(),
                        before.highest().orElse(0), Numbering.MAX_STEP);
                case REUSED -> DecisionReason.SEQUENCE_REUSED.toReason(guest(), fact.id(), fact.guestSeq());
                case NEW_RUN -> Numbering.farAhead(before, fact.guestSeq())
                        ? DecisionReason.SEQUENCE_RUN_FAR_AHEAD.toReason(guest(), fact.id(), fact.guestSeq(),
                                before.highest().orElse(0)) : null;
                default -> null;
            };
            if (reason != null) {
                decide(Action.ALERT, fact.data().appName(), null, null, null, placement().host(), null, null, reason,
                        List.of(), Map.of());
            }
            if (placement().phase() != Phase.FENCING && state.fence() != null) {
                state = state.withFence(null); // the fence it waited for is over, one way or another
            }
            state = state.withHostsBounded();
        }

        private String guest() {
            return fact.guestId();
        }

        private Placement placement() {
            return state.placement();
        }

        // ---- applications ----

        @Override
        public Void appStarted(AppStarted started) {
            notInPackage(started.app(), started.describe());
            return null;
        }

        @Override
        public Void appStopped(AppStopped stopped) {
            notInPackage(stopped.app(), stopped.describe());
            return null;
        }

        /**
         * Whether the package (when there is one) does not name {@code app}: then the fact is answered
         * with an alert and counts nowhere, since the guest's reporter and its package disagree, and a
         * guest's state keeps budgets only for the applications its package names.
         */
        private boolean notInPackage(String app, String what) {
            if (state.spec() == null || state.spec().application(app).isPresent()) {
                return false;
            }
            decide(Action.ALERT, app, null, null, null, placement().host(), null, null,
                    DecisionReason.APP_NOT_IN_PACKAGE.toReason(guest(), app, what, app), List.of(), Map.of());
            return true;
        }

        /**
         * Whether a guest without a package already keeps budgets for as many applications as it may
         * ({@link GuestState#MAX_APPS_WITHOUT_PACKAGE}) and {@code app} is not one of them: an alert, and
         * the failure counts nowhere.
         */
        private boolean beyondUnpackagedApps(String app, String what) {
            if (state.spec() != null || state.apps().containsKey(app)
                    || state.apps().size() < GuestState.MAX_APPS_WITHOUT_PACKAGE) {
                return false;
            }
            decide(Action.ALERT, app, null, null, null, placement().host(), null, null,
                    DecisionReason.TOO_MANY_APPS_WITHOUT_PACKAGE.toReason(app, what, guest(),
                            GuestState.MAX_APPS_WITHOUT_PACKAGE), List.of(), Map.of());
            return true;
        }

        @Override
        public Void reporterStarted(ReporterStarted started) {
            return null; // contact is the migration watcher's concern; its backlog follows as facts
        }

        @Override
        public Void rebound(Rebound rebound) {
            return null; // the migration watcher checks the answer; budgets are unaffected
        }

        @Override
        public Void appFailed(AppFailed failed) {
            if (notInPackage(failed.app(), failed.describe()) || beyondUnpackagedApps(failed.app(), failed.describe())) {
                return null;
            }
            AppPolicy policy = policyOf(failed.app());
            AppBudget budget = state.app(failed.app());
            if (failed.pid() != null && budget.lastFailedPid() == failed.pid()) {
                return null; // the same failure reported again
            }
            Phase phase = placement().phase();
            if (phase == Phase.HALTING || phase == Phase.FENCING || phase == Phase.WAITING) {
                return null; // the guest is leaving its host anyway
            }
            String what = failed.app() + " failed (" + failed.cause() + ")";
            if (state.maintenance()) {
                decide(Action.HOLD, failed.app(), null, policy.restartLimit(), null, placement().host(), null, null,
                        DecisionReason.PACKAGE_IN_MAINTENANCE.toReason(what), List.of(), Map.of());
                return null;
            }
            // The decider's clock, not the fact's own time: a guest whose clock is behind would otherwise
            // fall before the window every time, and one whose clock jumps ahead would push the
            // failures before it out of the window.
            long at = state.clockMs();
            List<Long> times = new ArrayList<>();
            long horizon = policy.failureWindowMs() == null ? Long.MIN_VALUE : at - policy.failureWindowMs();
            budget.failureTimesMs().stream().filter(t -> t >= horizon).forEach(times::add);
            times.add(at);
            times.sort(null);
            while (times.size() > AppBudget.MAX_REMEMBERED) {
                times.remove(0);
            }
            int attempt = Math.max(1, times.size());
            state = state.withApp(failed.app(), new AppBudget(times, failed.pid() == null ? 0 : failed.pid()));
            String limit = policy.restartLimit() == null ? "unlimited" : policy.restartLimit().toString();
            if (policy.restartLimit() == null || attempt <= policy.restartLimit()) {
                long delay = policy.backoff() == null ? 0 : policy.backoff().delayMs(attempt);
                String id = commandId("restart");
                decide(Action.RESTART_APP, failed.app(), attempt, policy.restartLimit(), delay, placement().host(), null,
                        null, DecisionReason.APP_FAILED_WITHIN_LIMIT.toReason(failed.app(), failed.cause(), attempt, limit,
                                delay > 0 ? " after " + delay + " ms" : ""),
                        List.of(new Emit(id, new RestartApp(failed.app(), attempt, policy.restartLimit(), delay, decisionId()))),
                        Map.of());
                return null;
            }
            if (state.spec() == null) {
                decide(Action.NONE, failed.app(), attempt, policy.restartLimit(), null, null, null, null,
                        DecisionReason.RESTART_LIMIT_EXCEEDED_NO_PACKAGE.toReason(failed.app(), failed.cause(), limit),
                        List.of(), Map.of());
                return null;
            }
            if (!placement().mayRun()) {
                return null; // not placed or already down: there is no host to fail over from
            }
            String host = placement().host();
            if (!state.switchingEnabled()) {
                decide(Action.HOLD, failed.app(), attempt, policy.restartLimit(), null, host, null, null,
                        DecisionReason.SWITCHING_DISABLED.toReason(what + ", restart limit " + limit + " used up",
                                guest(), host), List.of(), Map.of());
                mustLeave();
                return null;
            }
            Set<String> leaving = host == null ? Set.of() : Set.of(host);
            Optional<HostChoice> target = HostChoice.choose(state, leaving, view);
            if (target.isEmpty()) {
                decide(Action.ALERT, failed.app(), attempt, policy.restartLimit(), null, host, null, null,
                        DecisionReason.NO_ELIGIBLE_HOST.toReason(guest(), host, HostChoice.whyNone(state, leaving)),
                        List.of(), Map.of());
                mustLeave();
                return null;
            }
            String to = target.get().host();
            Decision.Reason reason = DecisionReason.RESTART_LIMIT_EXCEEDED.toReason(failed.app(), failed.cause(), attempt,
                    limit, guest(), host, to);
            leave(Action.FAILOVER, Motive.APP_FAILOVER, to, reason, failed.app(), attempt, policy.restartLimit(),
                    target.get().loadsUsed());
            return null;
        }

        /**
         * Remembers that an application used up its restart limit but the guest could not leave (no
         * eligible host, or switching disabled): {@link #resumeHeld} fails it over as soon as it can,
         * since the application is not restarted and no further failure would remind us.
         */
        private void mustLeave() {
            Placement p = placement();
            if (p.phase() == Phase.RUNNING) {
                state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.RUNNING, null, Motive.APP_FAILOVER));
            }
        }

        private AppPolicy policyOf(String app) {
            return state.spec() == null ? defaultPolicy : state.spec().application(app).orElseThrow();
        }

        // ---- packages and placements ----

        @Override
        public Void packageApplied(PackageApplied applied) {
            PackageSpec spec = applied.spec();
            Map<String, AppBudget> kept = new TreeMap<>(state.apps());
            kept.keySet().retainAll(spec.applications().stream().map(AppPolicy::name).toList());
            state = state.withSpec(spec).withApps(kept);
            Phase phase = placement().phase();
            if (spec.autoRun() && !state.maintenance() && phase == Phase.DOWN && placement().motive() != Motive.OPERATOR_HALT) {
                startSomewhere(Motive.AUTO_RUN, Set.of(), (to, epoch) -> DecisionReason.AUTO_RUN.toReason(guest(), to),
                        Action.START_GUEST, "auto_run");
            }
            return null;
        }

        @Override
        public Void guestStarted(GuestStarted started) {
            long epoch = fact.epoch() == null ? placement().epoch() : fact.epoch();
            Placement p = placement();
            if (p.host() == null || p.phase() == Phase.DOWN && epoch >= p.epoch()) {
                // Started without us (first adoption of a running guest): take it as the placement.
                state = state.withPlacement(new Placement(started.host(), epoch, Phase.RUNNING, null, Motive.NONE));
                return null;
            }
            if (started.host().equals(p.host()) && epoch == p.epoch()) {
                if (p.phase() == Phase.STARTING) {
                    // Confirmed: the move is over (a running placement's motive is only ever a held failover).
                    state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.RUNNING, null, Motive.NONE))
                            .withFailedTargets(Set.of());
                }
                return null;
            }
            decide(Action.ALERT, null, null, null, null, started.host(), null, epoch,
                    DecisionReason.UNEXPECTED_PLACEMENT.toReason(guest(), started.host(), epoch, p.host(), p.epoch()),
                    List.of(), Map.of());
            return null;
        }

        @Override
        public Void guestHalted(GuestHalted halted) {
            Placement p = placement();
            if (!halted.host().equals(p.host()) || !sameEpoch()) {
                return null;
            }
            // A lost host whose supervisor came back and says the guest is off releases it as a fence would.
            if (p.phase() == Phase.HALTING || p.phase() == Phase.FENCING) {
                boolean staysDown = p.phase() == Phase.HALTING ? p.nextHost() == null : p.motive() == Motive.OPERATOR_HALT;
                if (staysDown) {
                    state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.DOWN, null, p.motive()));
                    return null;
                }
                startAfterRelease(DecisionReason.HALT_CONFIRMED, p, halted.host());
                return null;
            }
            if (p.phase() == Phase.RUNNING || p.phase() == Phase.STARTING) {
                state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.DOWN, null, Motive.GUEST_DOWN));
                if (!canAct(guest() + " halted on " + halted.host() + " without being asked", null)) {
                    return null;
                }
                startSomewhere(Motive.GUEST_DOWN, Set.of(halted.host()),
                        (to, epoch) -> DecisionReason.GUEST_DOWN.toReason(guest(), halted.host(), to, epoch),
                        Action.START_GUEST, "guest down");
            }
            return null;
        }

        @Override
        public Void guestStartFailed(GuestStartFailed failed) {
            Placement p = placement();
            if (p.phase() != Phase.STARTING || !failed.host().equals(p.host()) || !sameEpoch()) {
                return null;
            }
            Set<String> failedTargets = new TreeSet<>(state.failedTargets());
            failedTargets.add(failed.host());
            state = state.withFailedTargets(failedTargets)
                    .withPlacement(new Placement(p.host(), p.epoch(), Phase.DOWN, null, Motive.START_FAILED));
            startSomewhere(Motive.START_FAILED, Set.of(),
                    (to, epoch) -> DecisionReason.START_FAILED_NEXT_HOST.toReason(guest(), failed.host(), failed.reason(), to, epoch),
                    Action.START_GUEST, "start failed on " + failed.host());
            return null;
        }

        @Override
        public Void guestHaltFailed(GuestHaltFailed failed) {
            Placement p = placement();
            if (p.phase() != Phase.HALTING || !failed.host().equals(p.host()) || !sameEpoch()) {
                return null;
            }
            String to = p.nextHost();
            Optional<String> executor = fenceExecutor(failed.host(), to);
            if (executor.isEmpty()) {
                state = state.withPlacement(p.with(Phase.FENCING));
                awaitFence(0);
                decide(Action.ALERT, null, null, null, null, failed.host(), to, p.epoch(),
                        DecisionReason.NO_ELIGIBLE_HOST.toReason(guest(), failed.host(), "no surviving host can fence it"),
                        List.of(), Map.of());
                return null;
            }
            state = state.withPlacement(p.with(Phase.FENCING));
            awaitFence(1);
            decide(Action.FENCE_HOST, null, null, null, null, failed.host(), to, p.epoch(),
                    DecisionReason.HALT_FAILED_FENCE.toReason(guest(), failed.host(), failed.reason(), failed.host(),
                            executor.get(), to == null ? "another host" : to),
                    List.of(new Emit(commandId("fence"), new FenceHost(executor.get(), failed.host(), decisionId()))), Map.of());
            return null;
        }

        // ---- hosts ----

        @Override
        public Void hostLost(HostLost lost) {
            if (!concerns(lost.host())) {
                return null; // a host this guest can neither run on nor runs on: nothing to keep
            }
            Set<String> lostHosts = new TreeSet<>(state.lostHosts());
            lostHosts.add(lost.host());
            Set<String> failed = new TreeSet<>(state.failedTargets());
            failed.remove(lost.host());
            state = state.withHosts(lostHosts, state.fencedHosts(), state.hostsInMaintenance(), failed);
            Placement p = placement();
            if (!lost.host().equals(p.host()) || !p.mayRun() || p.phase() == Phase.FENCING) {
                return null;
            }
            if (!canAct("host " + lost.host() + " was lost with " + guest() + " on it", null)) {
                return null;
            }
            // Lost while an operator's halt was under way: make sure it is down, but start it nowhere.
            boolean operatorHalt = p.phase() == Phase.HALTING && p.motive() == Motive.OPERATOR_HALT;
            Optional<HostChoice> target = operatorHalt ? Optional.empty() : HostChoice.choose(state, Set.of(lost.host()), view);
            // Only the loss itself may skip the fence; a loss held back and resumed later (resumeHeld) fences first.
            boolean waitForFence = state.spec() == null || state.spec().waitForFence() || fact.data() != lost;
            if (!waitForFence) {
                if (operatorHalt) {
                    state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.DOWN, null, Motive.OPERATOR_HALT));
                    return null;
                }
                if (target.isEmpty()) {
                    waitForHost(lost.host(), Set.of(lost.host()));
                    return null;
                }
                String to = target.get().host();
                start(to, Motive.HOST_LOST, Action.START_GUEST,
                        DecisionReason.HOST_LOST_NO_FENCE.toReason(lost.host(), guest(), to, p.epoch() + 1),
                        target.get().loadsUsed(), null);
                return null;
            }
            String to = target.map(HostChoice::host).orElse(null);
            Optional<String> executor = fenceExecutor(lost.host(), to);
            state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.FENCING, to,
                    operatorHalt ? Motive.OPERATOR_HALT : Motive.HOST_LOST));
            awaitFence(executor.isEmpty() ? 0 : 1);
            if (executor.isEmpty()) {
                decide(Action.ALERT, null, null, null, null, lost.host(), null, p.epoch(),
                        DecisionReason.NO_ELIGIBLE_HOST.toReason(guest(), lost.host(), HostChoice.whyNone(state, Set.of(lost.host()))),
                        List.of(), Map.of());
                return null;
            }
            decide(Action.FENCE_HOST, null, null, null, null, lost.host(), to, p.epoch(),
                    DecisionReason.HOST_LOST_FENCE_FIRST.toReason(lost.host(), guest(), lost.host(), executor.get(), guest()),
                    List.of(new Emit(commandId("fence"), new FenceHost(executor.get(), lost.host(), decisionId()))),
                    target.map(HostChoice::loadsUsed).orElse(Map.of()));
            return null;
        }

        @Override
        public Void hostFenced(HostFenced fenced) {
            if (!concerns(fenced.host())) {
                return null;
            }
            Set<String> fencedHosts = new TreeSet<>(state.fencedHosts());
            fencedHosts.add(fenced.host());
            // A fenced host is powered off: no guest goes there until it is available again.
            Set<String> lostHosts = new TreeSet<>(state.lostHosts());
            lostHosts.add(fenced.host());
            state = state.withHosts(lostHosts, fencedHosts, state.hostsInMaintenance(), state.failedTargets());
            Placement p = placement();
            if (p.phase() == Phase.FENCING && fenced.host().equals(p.host())) {
                if (p.motive() == Motive.OPERATOR_HALT) {
                    // The fence completed the halt the operator asked for: the guest stays down.
                    state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.DOWN, null, Motive.OPERATOR_HALT));
                    return null;
                }
                startAfterRelease(DecisionReason.HOST_FENCED, p, fenced.host());
            }
            return null;
        }

        @Override
        public Void hostAvailable(HostAvailable available) {
            hostBack(available.host());
            return null;
        }

        private void hostBack(String host) {
            Set<String> lostHosts = new TreeSet<>(state.lostHosts());
            lostHosts.remove(host);
            Set<String> fencedHosts = new TreeSet<>(state.fencedHosts());
            fencedHosts.remove(host);
            Set<String> failed = new TreeSet<>(state.failedTargets());
            failed.remove(host);
            state = state.withHosts(lostHosts, fencedHosts, state.hostsInMaintenance(), failed);
            Placement p = placement();
            if (state.spec() == null || !state.spec().hosts().contains(host) || !HostChoice.eligible(state, Set.of()).contains(host)) {
                return;
            }
            if (p.phase() == Phase.WAITING) {
                if (!state.maintenance()) {
                    start(host, p.motive(), Action.START_GUEST,
                            DecisionReason.HOST_AVAILABLE.toReason(host, guest(), host, p.epoch() + 1), Map.of(), null);
                }
                return;
            }
            if (p.phase() == Phase.RUNNING && p.motive() == Motive.APP_FAILOVER) {
                resumeHeld(); // a failover waiting for a host
                return;
            }
            if (p.phase() == Phase.RUNNING && state.spec().failbackPolicy() == PackageSpec.FailbackPolicy.AUTOMATIC
                    && preferred(host, p.host()) && state.switchingEnabled() && !state.maintenance()) {
                leave(Action.FAILBACK, Motive.FAILBACK, host,
                        DecisionReason.FAILBACK.toReason(host, p.host(), guest()), null, null, null, Map.of());
            }
        }

        private boolean preferred(String candidate, String current) {
            List<String> order = state.spec().hosts();
            int now = order.indexOf(current);
            return now < 0 || order.indexOf(candidate) < now;
        }

        // ---- migrations ----

        @Override
        public Void migrationStarted(MigrationStarted started) {
            return null;
        }

        @Override
        public Void migrationCompleted(MigrationCompleted completed) {
            Placement p = placement();
            if (completed.to().equals(p.host())) {
                return null; // already recorded
            }
            if (p.motive() == Motive.OPERATOR_HALT && p.phase() != Phase.RUNNING && p.phase() != Phase.STARTING) {
                // The operator's halt went to (or was confirmed by) the host the guest just left, so it
                // follows the guest: whatever runs on the target must stop too.
                long epoch = p.epoch() + 1;
                String to = completed.to();
                state = state.withPlacement(new Placement(to, epoch, Phase.HALTING, null, Motive.OPERATOR_HALT));
                decide(Action.HALT_GUEST, null, null, null, null, to, null, epoch,
                        DecisionReason.HALT_FOLLOWS_MIGRATION.toReason(guest(), completed.from(), to, to, epoch),
                        List.of(new Emit(commandId("halt"), new HaltGuest(guest(), to, epoch, decisionId()))), Map.of());
                return null;
            }
            // The guest kept running: new host, next epoch, every restart budget as it was.
            state = state.withPlacement(new Placement(completed.to(), p.epoch() + 1, Phase.RUNNING, null, Motive.NONE));
            if (state.spec() != null && !state.spec().hosts().contains(completed.to())) {
                migrateBackToListedHost(completed);
            }
            return null;
        }

        /**
         * The guest was live-migrated to a host its package does not list (by someone else than the
         * decider). The placement follows it there, since one runner is kept by knowing where it runs;
         * but it may not stay: it is live-migrated back to an eligible host (its budgets go with it),
         * held when maintenance or disabled switching forbids it, and an alert when no host is eligible.
         */
        private void migrateBackToListedHost(MigrationCompleted completed) {
            Placement p = placement();
            String what = guest() + " was live-migrated from " + completed.from() + " to " + completed.to()
                    + ", a host its package does not list";
            if (!canAct(what, null)) {
                return;
            }
            Set<String> leaving = Set.of(p.host());
            Optional<HostChoice> target = HostChoice.choose(state, leaving, view);
            if (target.isEmpty()) {
                decide(Action.ALERT, null, null, null, null, p.host(), null, p.epoch(),
                        DecisionReason.NO_ELIGIBLE_HOST.toReason(guest(), p.host(), HostChoice.whyNone(state, leaving)),
                        List.of(), Map.of());
                return;
            }
            String to = target.get().host();
            decide(Action.MIGRATE, null, null, null, null, p.host(), to, p.epoch(),
                    DecisionReason.MIGRATION_TARGET_NOT_LISTED.toReason(guest(), completed.from(), p.host(), to, p.epoch()),
                    List.of(new Emit(commandId("migrate"), new MigrateGuest(guest(), p.host(), to, p.epoch(), decisionId()))),
                    target.get().loadsUsed());
        }

        @Override
        public Void migrationFailed(MigrationFailed failed) {
            return null; // the source keeps the guest: nothing changed
        }

        // ---- contact ----

        /**
         * The migration watcher lost contact with the reporter on the guest's current host: its
         * application failures would go unnoticed there, so the guest leaves, as when an application
         * used up its restarts. (A reporter cannot be restarted from outside a guest it cannot reach;
         * starting the guest elsewhere restarts it.)
         */
        @Override
        public Void contactLost(ContactLost lost) {
            Placement p = placement();
            if (p.phase() != Phase.RUNNING || !lost.host().equals(p.host()) || !sameEpoch()) {
                return null; // the guest is already moving, or this is about a placement that is over
            }
            String what = lost.describe();
            if (canAct(what, null)) {
                failOver(p, to -> DecisionReason.CONTACT_LOST.toReason(what, guest(), p.host(), to));
            }
            return null;
        }

        /**
         * Time has passed: what is due by the decider's clock is done now ({@link #fenceIfDue}). Only this
         * fact does it, so that every decision has the fact it is about as its cause (a refusal, say,
         * never also fences); the engine writes it when the guest's state says something is due.
         */
        @Override
        public Void deadlineReached(DeadlineReached reached) {
            fenceIfDue();
            return null;
        }

        // ---- refusals ----

        @Override
        public Void commandRefused(CommandRefused refused) {
            if (!sameEpoch()) {
                return null; // not about the placement we know (older ones never get here)
            }
            // Nothing is retried and no placement changes: whatever the refusal means, a person must look.
            Placement p = placement();
            decide(Action.ALERT, null, null, null, null, refused.host(), null, p.host() == null ? null : p.epoch(),
                    DecisionReason.COMMAND_REFUSED.toReason(refused.host(), refused.command(), refused.commandId(),
                            guest(), refused.reason(), guest(), describe(p)),
                    List.of(), Map.of());
            return null;
        }

        /**
         * Whether the guest runs, somewhere else than {@code to}, so that an operator can move or
         * migrate it there; if not, says so: an operator waits for an answer to every request.
         */
        private boolean runsElsewhereThan(String to, Placement p, String who) {
            if (to != null && p.phase() == Phase.RUNNING && !to.equals(p.host())) {
                return true;
            }
            decide(Action.ALERT, null, null, null, null, p.host(), to, p.host() == null ? null : p.epoch(),
                    DecisionReason.MIGRATION_NOT_POSSIBLE.toReason(who, guest(), to, describe(p)), List.of(), Map.of());
            return false;
        }

        private static String describe(Placement p) {
            return p.host() == null ? "placed nowhere" : p.phase().name().toLowerCase(Locale.ROOT) + " on "
                    + p.host() + " as epoch " + p.epoch();
        }

        // ---- operators ----

        @Override
        public Void operatorRequest(OperatorRequest request) {
            Placement p = placement();
            String who = request.operator();
            switch (request.action()) {
                case HALT -> {
                    if (p.phase() == Phase.FENCING) {
                        // No halt reaches a lost host: the fence under way is the halt, and after it the
                        // guest stays down instead of starting elsewhere.
                        state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.FENCING, null,
                                Motive.OPERATOR_HALT));
                        decide(Action.NONE, null, null, null, null, p.host(), null, p.epoch(),
                                DecisionReason.OPERATOR_HALT_BY_FENCE.toReason(who, guest(), p.host(), p.host()),
                                List.of(), Map.of());
                        return null;
                    }
                    if (p.mayRun() || p.phase() == Phase.WAITING) {
                        if (p.phase() == Phase.WAITING || p.host() == null) {
                            state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.DOWN, null, Motive.OPERATOR_HALT));
                            return null;
                        }
                        state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.HALTING, null, Motive.OPERATOR_HALT));
                        decide(Action.HALT_GUEST, null, null, null, null, p.host(), null, p.epoch(),
                                DecisionReason.OPERATOR_HALT.toReason(who, guest(), p.host()),
                                List.of(new Emit(commandId("halt"), new HaltGuest(guest(), p.host(), p.epoch(), decisionId()))),
                                Map.of());
                    }
                }
                case RUN -> {
                    if (p.phase() != Phase.DOWN && p.phase() != Phase.WAITING) {
                        return null;
                    }
                    state = state.withFailedTargets(Set.of()); // a run is a new move: the operator may retry any host
                    if (request.host() != null) {
                        if (!HostChoice.eligible(state, Set.of()).contains(request.host())) {
                            notEligible(who, "run", request.host());
                            return null;
                        }
                        start(request.host(), Motive.OPERATOR_RUN, Action.START_GUEST,
                                DecisionReason.OPERATOR_RUN.toReason(who, guest(), request.host(), p.epoch() + 1), Map.of(), null);
                        return null;
                    }
                    startSomewhere(Motive.OPERATOR_RUN, Set.of(),
                            (to, epoch) -> DecisionReason.OPERATOR_RUN.toReason(who, guest(), to, epoch), Action.START_GUEST,
                            "operator run");
                }
                case MOVE -> {
                    String to = request.host();
                    if (!runsElsewhereThan(to, p, who)) {
                        return null;
                    }
                    if (!HostChoice.eligible(state, Set.of()).contains(to)) {
                        notEligible(who, "move", to);
                        return null;
                    }
                    leave(Action.MOVE, Motive.OPERATOR_MOVE, to, DecisionReason.OPERATOR_MOVE.toReason(who, guest(), p.host(), to),
                            null, null, null, Map.of());
                }
                case MIGRATE -> {
                    String to = request.host();
                    if (!runsElsewhereThan(to, p, who)) {
                        return null;
                    }
                    if (!HostChoice.eligible(state, Set.of()).contains(to)) {
                        notEligible(who, "migrate", to);
                        return null;
                    }
                    if (!canAct("operator " + who + " asks to migrate " + guest() + " from " + p.host() + " to " + to, null)) {
                        return null;
                    }
                    // The placement stays until migration.completed moves it (epoch + 1, budgets kept);
                    // a migration that fails or is refused leaves the guest where it runs.
                    decide(Action.MIGRATE, null, null, null, null, p.host(), to, p.epoch(),
                            DecisionReason.OPERATOR_MIGRATE.toReason(who, guest(), p.host(), to, p.epoch()),
                            List.of(new Emit(commandId("migrate"), new MigrateGuest(guest(), p.host(), to, p.epoch(),
                                    decisionId()))), Map.of());
                }
                case ENABLE_SWITCHING -> {
                    state = state.withSwitching(true);
                    resumeHeld();
                }
                case DISABLE_SWITCHING -> state = state.withSwitching(false);
                case MAINTENANCE_ON -> state = state.withMaintenance(true);
                case MAINTENANCE_OFF -> {
                    state = state.withMaintenance(false);
                    resumeHeld();
                }
                case HOST_MAINTENANCE_ON -> {
                    boolean roomWithoutPackage = state.spec() == null && (state.hostsInMaintenance().contains(request.host())
                            || state.hostsInMaintenance().size() < GuestState.MAX_HOSTS_WITHOUT_PACKAGE);
                    if (!concerns(request.host()) && !roomWithoutPackage) {
                        return null; // not a host of this guest's: nothing to keep
                    }
                    Set<String> inMaintenance = new TreeSet<>(state.hostsInMaintenance());
                    inMaintenance.add(request.host());
                    state = state.withHosts(state.lostHosts(), state.fencedHosts(), inMaintenance, state.failedTargets());
                    if (request.host().equals(p.host()) && p.phase() == Phase.RUNNING) {
                        leaveForMaintenance(p);
                    }
                }
                case HOST_MAINTENANCE_OFF -> {
                    Set<String> inMaintenance = new TreeSet<>(state.hostsInMaintenance());
                    inMaintenance.remove(request.host());
                    state = state.withHosts(state.lostHosts(), state.fencedHosts(), inMaintenance, state.failedTargets());
                    if (!state.lostHosts().contains(request.host())) {
                        hostBack(request.host());
                    }
                }
            }
            return null;
        }

        /** The guest's host goes into maintenance: the guest moves to the next eligible host. */
        private void leaveForMaintenance(Placement p) {
            String what = "host " + p.host() + " goes into maintenance with " + guest() + " on it";
            if (!canAct(what, null)) {
                return;
            }
            Set<String> leaving = Set.of(p.host());
            Optional<HostChoice> target = HostChoice.choose(state, leaving, view);
            if (target.isEmpty()) {
                decide(Action.ALERT, null, null, null, null, p.host(), null, p.epoch(),
                        DecisionReason.NO_ELIGIBLE_HOST.toReason(guest(), p.host(), HostChoice.whyNone(state, leaving)),
                        List.of(), Map.of());
                return;
            }
            String to = target.get().host();
            leave(Action.MOVE, Motive.OPERATOR_MOVE, to, DecisionReason.HOST_MAINTENANCE_MOVE.toReason(p.host(), guest(), to),
                    null, null, null, target.get().loadsUsed());
        }

        /** Whether {@code host} is one this guest's state keeps track of: its package lists it, or the guest is placed there. */
        private boolean concerns(String host) {
            return host.equals(placement().host()) || state.spec() != null && state.spec().hosts().contains(host);
        }

        // ---- fencing that is not confirmed ----

        /** The guest waits for a fence asked {@code attempts} times so far; it is asked again when due. */
        private void awaitFence(int attempts) {
            state = state.withFence(new GuestState.FenceWatch(attempts, state.clockMs() + fenceDelayMs(attempts)));
        }

        /**
         * On a {@code deadline.reached}: a fence that is still not confirmed when due is asked again (from a surviving
         * host chosen anew), up to {@value #FENCE_ATTEMPTS} times; then an alert, and the guest keeps
         * waiting, since it must not start while its old host may run it.
         */
        private void fenceIfDue() {
            Placement p = placement();
            GuestState.FenceWatch watch = state.fence();
            if (p.phase() != Phase.FENCING || watch == null || watch.dueMs() == null || state.clockMs() < watch.dueMs()) {
                return;
            }
            if (watch.attempts() >= FENCE_ATTEMPTS) {
                state = state.withFence(new GuestState.FenceWatch(watch.attempts(), null));
                decide(Action.ALERT, null, watch.attempts(), FENCE_ATTEMPTS, null, p.host(), p.nextHost(), p.epoch(),
                        DecisionReason.FENCE_UNCONFIRMED.toReason(p.host(), watch.attempts(), guest(), p.host()),
                        List.of(), Map.of());
                return;
            }
            int attempt = watch.attempts() + 1;
            long waited = fenceDelayMs(watch.attempts()) / 1000;
            awaitFence(attempt);
            Optional<String> executor = fenceExecutor(p.host(), p.nextHost());
            if (executor.isEmpty()) {
                return; // still no surviving host to fence from; the alert said so when the fence was needed
            }
            decide(Action.FENCE_HOST, null, attempt, FENCE_ATTEMPTS, null, p.host(), p.nextHost(), p.epoch(),
                    DecisionReason.FENCE_RETRY.toReason(p.host(), guest(), waited, executor.get(), attempt, FENCE_ATTEMPTS),
                    List.of(new Emit(commandId("fence"), new FenceHost(executor.get(), p.host(), decisionId()))), Map.of());
        }

        private void notEligible(String who, String what, String host) {
            decide(Action.ALERT, null, null, null, null, placement().host(), host, null,
                    DecisionReason.HOST_NOT_ELIGIBLE.toReason(who, what, host, HostChoice.whyNone(state, Set.of())),
                    List.of(), Map.of());
        }

        // ---- shared moves ----

        /**
         * Carries out what maintenance, disabled switching or a missing host held back, once nothing
         * forbids it any more: a guest that went down by itself starts elsewhere, a guest on a lost
         * host is fenced (or started elsewhere), a guest whose application used up its restart limit
         * fails over.
         */
        private void resumeHeld() {
            Placement p = placement();
            if (state.maintenance() || !state.switchingEnabled() || state.spec() == null) {
                return;
            }
            if (p.phase() == Phase.DOWN && p.motive() == Motive.GUEST_DOWN) {
                startSomewhere(Motive.GUEST_DOWN, Set.of(p.host()),
                        (to, epoch) -> DecisionReason.GUEST_DOWN.toReason(guest(), p.host(), to, epoch),
                        Action.START_GUEST, "guest down");
                return;
            }
            if (p.phase() != Phase.RUNNING) {
                return;
            }
            if (state.lostHosts().contains(p.host())) {
                hostLost(new HostLost(p.host()));
                return;
            }
            if (p.motive() == Motive.APP_FAILOVER) {
                failOver(p, to -> DecisionReason.HELD_FAILOVER.toReason(guest(), p.host(), to));
            }
        }

        /**
         * Halts the running guest to start it on the next eligible host; with none, alerts and keeps
         * the guest marked to leave, so it fails over as soon as a host is eligible again.
         */
        private void failOver(Placement p, java.util.function.Function<String, Decision.Reason> reasonTo) {
            Set<String> leaving = Set.of(p.host());
            Optional<HostChoice> target = HostChoice.choose(state, leaving, view);
            if (target.isEmpty()) {
                decide(Action.ALERT, null, null, null, null, p.host(), null, p.epoch(),
                        DecisionReason.NO_ELIGIBLE_HOST.toReason(guest(), p.host(), HostChoice.whyNone(state, leaving)),
                        List.of(), Map.of());
                mustLeave();
                return;
            }
            String to = target.get().host();
            leave(Action.FAILOVER, Motive.APP_FAILOVER, to, reasonTo.apply(to), null, null, null, target.get().loadsUsed());
        }

        /** Holds (and says so) when maintenance or disabled switching forbids moving the guest. */
        private boolean canAct(String what, String app) {
            if (state.maintenance()) {
                decide(Action.HOLD, app, null, null, null, placement().host(), null, null,
                        DecisionReason.PACKAGE_IN_MAINTENANCE.toReason(what), List.of(), Map.of());
                return false;
            }
            if (!state.switchingEnabled()) {
                decide(Action.HOLD, app, null, null, null, placement().host(), null, null,
                        DecisionReason.SWITCHING_DISABLED.toReason(what, guest(), placement().host()), List.of(), Map.of());
                return false;
            }
            return true;
        }

        /** Halts the guest on its host; it starts on {@code to} once the halt is confirmed. */
        private void leave(Action action, Motive motive, String to, Decision.Reason reason, String app, Integer attempt,
                           Integer limit, Map<String, Integer> loads) {
            Placement p = placement();
            state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.HALTING, to, motive));
            decide(action, app, attempt, limit, null, p.host(), to, p.epoch(), reason,
                    List.of(new Emit(commandId("halt"), new HaltGuest(guest(), p.host(), p.epoch(), decisionId()))), loads);
        }

        /** The old host let the guest go (halted or fenced): start it on the planned or next best host. */
        private void startAfterRelease(DecisionReason reason, Placement p, String releasedHost) {
            if (p.motive() == Motive.APP_FAILOVER) {
                // As Serviceguard disables node switching where a package failed: not back there in this move.
                Set<String> avoid = new TreeSet<>(state.failedTargets());
                avoid.add(releasedHost);
                state = state.withFailedTargets(avoid);
            }
            String planned = p.nextHost();
            Optional<HostChoice> target = planned != null && HostChoice.eligible(state, Set.of(releasedHost)).contains(planned)
                    ? Optional.of(new HostChoice(planned, Map.of()))
                    : HostChoice.choose(state, Set.of(releasedHost), view);
            if (target.isEmpty()) {
                waitForHost(releasedHost, Set.of(releasedHost));
                return;
            }
            String to = target.get().host();
            Decision.Reason why = reason == DecisionReason.HOST_FENCED
                    ? reason.toReason(releasedHost, guest(), to, p.epoch() + 1) // host h1 is fenced; start g1 on h2
                    : reason.toReason(guest(), releasedHost, to, p.epoch() + 1); // g1 halted on h1; start it on h2
            start(to, p.motive(), Action.START_GUEST, why, target.get().loadsUsed(), null);
        }

        private void startSomewhere(Motive motive, Set<String> exclude, ReasonFor reason, Action action, String why) {
            Optional<HostChoice> target = HostChoice.choose(state, exclude, view);
            if (target.isEmpty()) {
                waitForHost(placement().host(), exclude);
                return;
            }
            String to = target.get().host();
            start(to, motive, action, reason.of(to, placement().epoch() + 1), target.get().loadsUsed(), null);
        }

        /** Starts the guest on {@code to} as the next epoch, with fresh restart budgets. */
        private void start(String to, Motive motive, Action action, Decision.Reason reason, Map<String, Integer> loads,
                           String app) {
            Placement p = placement();
            long epoch = p.epoch() + 1;
            state = state.withPlacement(new Placement(to, epoch, Phase.STARTING, null, motive)).withApps(Map.of());
            decide(action, app, null, null, null, p.host(), to, epoch, reason,
                    List.of(new Emit(commandId("start"), new StartGuest(guest(), to, epoch, decisionId()))), loads);
        }

        private void waitForHost(String from, Set<String> exclude) {
            Placement p = placement();
            state = state.withPlacement(new Placement(p.host(), p.epoch(), Phase.WAITING, null, p.motive()));
            decide(Action.ALERT, null, null, null, null, from, null, p.epoch(),
                    DecisionReason.NO_ELIGIBLE_HOST.toReason(guest(), from, HostChoice.whyNone(state, exclude)),
                    List.of(), Map.of());
        }

        /** A surviving host to run the fence hook: the target if there is one, else the first host not lost. */
        private Optional<String> fenceExecutor(String lostHost, String target) {
            if (target != null && !state.lostHosts().contains(target)) { // the planned target may be lost since
                return Optional.of(target);
            }
            return state.spec() == null ? Optional.empty() : state.spec().hosts().stream()
                    .filter(h -> !h.equals(lostHost) && !state.lostHosts().contains(h)).findFirst();
        }

        private boolean sameEpoch() {
            return fact.epoch() == null || fact.epoch() == placement().epoch();
        }

        // ---- emitting ----

        private String decisionId() {
            return commandId("decision");
        }

        /** {@code kind-<fact id>}, then {@code -2}, {@code -3} for the second and third decision on the fact. */
        private String commandId(String kind) {
            return Ids.derive(kind + "-", fact.id(), decisions.isEmpty() ? "" : "-" + (decisions.size() + 1));
        }

        private void decide(Action action, String app, Integer attempt, Integer limit, Long delayMs, String from, String to,
                            Long epoch, Decision.Reason reason, List<Emit> issued, Map<String, Integer> loads) {
            String id = decisionId();
            Decision decision = new Decision(action, app, attempt, limit, delayMs, from, to, epoch, reason,
                    List.of(fact.id()), issued.stream().map(Emit::id).toList(), loads, fact.time());
            decisions.add(emit(id, null, null, decision));
            for (Emit e : issued) {
                String host = e.command() instanceof io.guestguard.protocol.HostCommand hc ? hc.host() : placement().host();
                // A guest command carries the placement it was decided for, so a reporter can tell it is stale.
                Long commandEpoch = epoch != null ? epoch : placement().host() == null ? null : placement().epoch();
                commands.add(emit(e.id(), host, commandEpoch, e.command()));
            }
        }

        private <D extends io.guestguard.protocol.Payload> CloudEvent<D> emit(String id, String host, Long epoch, D data) {
            return new CloudEvent<>(id, SOURCE, decisionTime, guest(), null, host, epoch, data);
        }
    }

    /** A command and the id it will carry. */
    private record Emit(String id, Command command) {
    }

    @FunctionalInterface
    private interface ReasonFor {
        Decision.Reason of(String host, long epoch);
    }
}
