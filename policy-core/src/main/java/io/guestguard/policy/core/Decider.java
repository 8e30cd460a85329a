package io.guestguard.policy.core;

import io.guestguard.policy.core.GuestState.AppBudget;
import io.guestguard.policy.core.Placement.Motive;
import io.guestguard.policy.core.Placement.Phase;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.ContactLost;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The policy decider, a pure function {@code (state, fact, view) -> (state', decisions, commands)}:
 * no clock (time is the fact's time), no randomness (ids derive from the causing fact's id), no I/O,
 * no framework. The same facts in the same order, with the same recorded fleet values, always give
 * the same decisions, which is what makes replay possible.
 *
 * <p>What it decides, in Serviceguard's terms:
 * <ol>
 *   <li>An application fails: restart it in place, after its backoff, while its failures within the
 *       failure window stay within {@code service_restart}; then fail the guest over: halt it on its
 *       host, and start it on the chosen host once the halt is confirmed.</li>
 *   <li>A host is lost: fence it (through a surviving host), then start its guest elsewhere; or start
 *       at once if the package chose not to wait for fencing.</li>
 *   <li>A start fails: try the next eligible host (never, in this move, the host the guest's
 *       applications failed on). No host is eligible: alert, and start (or fail over) as soon as one
 *       is available again.</li>
 *   <li>A more preferred host comes back and failback is automatic: move the guest back.</li>
 *   <li>Operators halt, run, move and migrate packages, enable or disable switching, and put packages
 *       or hosts in maintenance; maintenance and disabled switching turn actions into holds, and what
 *       they held back (a failover, leaving a lost host, restarting a guest that went down) is done
 *       when they end. A run starts a new move, so any host may be tried again.</li>
 *   <li>An operator's migrate asks the supervisor of the running guest's host to live-migrate it to an
 *       eligible target ({@code MigrateGuest}, stamped with the current epoch); the placement does not
 *       change until the migration completes.</li>
 *   <li>A live migration moves the placement to the target host with epoch + 1 and leaves every
 *       restart budget as it was.</li>
 *   <li>A host refuses a command about the current placement ({@code command-refused}): alert and
 *       change nothing, since a person must look (a fence hook that did not confirm, a start refused
 *       because the guest still runs elsewhere). A refusal of an older epoch's command is dropped
 *       like every fact about an older epoch.</li>
 * </ol>
 * A guest is never started while a previous placement may still run: a start waits for the halt to
 * be confirmed or the host to be fenced (unless the package explicitly does not wait for fencing).
 * Facts about an older epoch and facts seen before (same id) change nothing.
 */
public final class Decider {

    /** The CloudEvents source of everything the decider emits. */
    public static final String SOURCE = "/policy-engine";

    private final AppPolicy defaultPolicy;

    /**
     * @param defaultLimit the restart limit for applications of guests with no package applied
     */
    public Decider(RestartLimit defaultLimit) {
        this.defaultPolicy = new AppPolicy("*", "exec", null, defaultLimit.max(), null, PackageSpec.Backoff.NONE);
    }

    /** Decides on one fact about a guest that needs no fleet-wide values. */
    public Outcome decide(GuestState state, CloudEvent<? extends Fact> fact) {
        return decide(state, fact, FleetView.EMPTY);
    }

    /** Decides on one fact about the guest whose state is {@code state}. */
    public Outcome decide(GuestState state, CloudEvent<? extends Fact> fact, FleetView view) {
        if (state.recentFactIds().contains(fact.id()) || resentByReporter(state, fact)) {
            return Outcome.unchanged(state);
        }
        GuestState seen = state.seen(fact.id(), fact.time().toEpochMilli(), fact.guestSeq());
        if (fact.epoch() != null && fact.epoch() < state.placement().epoch()) {
            return Outcome.unchanged(seen); // about a placement that is over
        }
        Step step = new Step(fact, seen, view);
        fact.data().accept(step);
        return step.outcome();
    }

    /**
     * Whether a reporter's fact was seen before, by its sequence number: a reporter resends what Kafka
     * did not acknowledge, so a fact may arrive again long after its first delivery. A reporter whose
     * outbox is new (its first fact, {@code reporter.started} with sequence number 1) starts the count
     * again.
     */
    private static boolean resentByReporter(GuestState state, CloudEvent<? extends Fact> fact) {
        Long seq = fact.guestSeq();
        boolean freshOutbox = seq != null && seq == 1 && fact.data() instanceof ReporterStarted;
        return seq != null && seq <= state.lastGuestSeq() && !freshOutbox;
    }

    /** The work on one fact: a visitor that accumulates the new state, decisions and commands. */
    private final class Step implements Fact.Visitor<Void> {
        private final CloudEvent<? extends Fact> fact;
        private final FleetView view;
        private GuestState state;
        private final List<CloudEvent<Decision>> decisions = new ArrayList<>();
        private final List<CloudEvent<Command>> commands = new ArrayList<>();

        Step(CloudEvent<? extends Fact> fact, GuestState state, FleetView view) {
            this.fact = fact;
            this.state = state;
            this.view = view;
        }

        Outcome outcome() {
            return new Outcome(state, decisions, commands);
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
            return null;
        }

        @Override
        public Void appStopped(AppStopped stopped) {
            return null;
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
            List<Long> times = new ArrayList<>();
            long horizon = policy.failureWindowMs() == null ? Long.MIN_VALUE : state.clockMs() - policy.failureWindowMs();
            budget.failureTimesMs().stream().filter(t -> t >= horizon).forEach(times::add);
            long at = fact.time().toEpochMilli();
            if (at >= horizon) {
                times.add(at);
                times.sort(null);
            }
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
            return state.spec() == null ? defaultPolicy : state.spec().application(app).orElse(defaultPolicy);
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
                decide(Action.ALERT, null, null, null, null, failed.host(), to, p.epoch(),
                        DecisionReason.NO_ELIGIBLE_HOST.toReason(guest(), failed.host(), "no surviving host can fence it"),
                        List.of(), Map.of());
                return null;
            }
            state = state.withPlacement(p.with(Phase.FENCING));
            decide(Action.FENCE_HOST, null, null, null, null, failed.host(), to, p.epoch(),
                    DecisionReason.HALT_FAILED_FENCE.toReason(guest(), failed.host(), failed.reason(), failed.host(),
                            executor.get(), to == null ? "another host" : to),
                    List.of(new Emit(commandId("fence"), new FenceHost(executor.get(), failed.host(), decisionId()))), Map.of());
            return null;
        }

        // ---- hosts ----

        @Override
        public Void hostLost(HostLost lost) {
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
            // The guest kept running: new host, next epoch, every restart budget as it was.
            state = state.withPlacement(new Placement(completed.to(), p.epoch() + 1, Phase.RUNNING, null, Motive.NONE));
            return null;
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
                    Set<String> inMaintenance = new TreeSet<>(state.hostsInMaintenance());
                    inMaintenance.add(request.host());
                    state = state.withHosts(state.lostHosts(), state.fencedHosts(), inMaintenance, state.failedTargets());
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
                    List.of(fact.id()), issued.stream().map(Emit::id).toList(), loads);
            decisions.add(emit(id, null, null, decision));
            for (Emit e : issued) {
                String host = e.command() instanceof io.guestguard.protocol.HostCommand hc ? hc.host() : placement().host();
                // A guest command carries the placement it was decided for, so a reporter can tell it is stale.
                Long commandEpoch = epoch != null ? epoch : placement().host() == null ? null : placement().epoch();
                commands.add(emit(e.id(), host, commandEpoch, e.command()));
            }
        }

        private <D extends io.guestguard.protocol.Payload> CloudEvent<D> emit(String id, String host, Long epoch, D data) {
            return new CloudEvent<>(id, SOURCE, fact.time(), guest(), null, host, epoch, data);
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
