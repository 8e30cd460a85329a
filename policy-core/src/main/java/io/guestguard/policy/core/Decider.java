package io.guestguard.policy.core;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.DeadlineReached;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestHaltFailed;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStartFailed;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostAvailable;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.ReporterStarted;

import java.time.Instant;

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
 *       decision time, so a guest's clock neither hides them from the window nor ages them out
 *       ({@link ApplicationPolicy}).</li>
 *   <li>A host is lost: fence it (through a surviving host), then start its guest elsewhere; or start
 *       at once if the package chose not to wait for fencing. A fence that is not confirmed is asked
 *       again after 60 s and 120 s more, then alerted 240 s later (time reaches the decider through
 *       {@code deadline.reached} facts the engine writes) ({@link HostPolicy}, {@link FencePolicy}).</li>
 *   <li>A start fails: try the next eligible host (never, in this move, the host the guest's
 *       applications failed on). No host is eligible: alert, and start (or fail over) as soon as one
 *       is available again ({@link PlacementPolicy}; where it goes: {@link Moves}, {@link HostChoice}).</li>
 *   <li>A more preferred host comes back and failback is automatic: move the guest back
 *       ({@link HostPolicy}).</li>
 *   <li>Operators halt, run, move and migrate packages, enable or disable switching, and put packages
 *       or hosts in maintenance; maintenance and disabled switching turn actions into holds, and what
 *       they held back (a failover, leaving a lost host, restarting a guest that went down) is done
 *       when they end. A run starts a new move, so any host may be tried again. A host put in
 *       maintenance with the guest on it moves the guest off it. A halt follows the guest when a live
 *       migration completes during it, and is carried out by the fence when the guest's host is being
 *       fenced ({@link OperatorPolicy}; what holds held back: {@link HeldActions}). Operators stop and
 *       start one application of a running guest ({@code cmhaltserv}, {@code cmrunserv}): the
 *       reporter is sent the command; a request for an application the package does not name, or
 *       for a guest that is not confirmed running, is an alert and sends nothing. Operators halt a host
 *       ({@code cmhaltnode}: its guest live-migrates off it, or moves if that fails), detach it (Live
 *       Application Detach: nothing moves its guest off it or fences it, a hold instead) and run it
 *       again, which carries out what the detach held back ({@link HostPolicy}). A host that left
 *       and did not come back in time is detached with an alert, not fenced.</li>
 *   <li>An operator's migrate asks the supervisor of the running guest's host to live-migrate it to an
 *       eligible target ({@code MigrateGuest}, stamped with the current epoch); the placement does not
 *       change until the migration completes ({@link OperatorPolicy}, {@link MigrationPolicy}).</li>
 *   <li>A live migration to a host the package lists moves the placement there with epoch + 1 and
 *       leaves every restart budget as it was; one to a host it does not list is followed there, and the
 *       guest is migrated back to a listed host (an alert when none is eligible).
 *       The migration watcher's {@code contact-lost} fails the guest over ({@link MigrationPolicy}).</li>
 *   <li>A host refuses a command about the current placement ({@code command-refused}): alert and
 *       change nothing, since a person must look (a fence hook that did not confirm, a start refused
 *       because the guest still runs elsewhere). A refusal of an older epoch's command is dropped
 *       like every fact about an older epoch ({@link PlacementPolicy}).</li>
 * </ol>
 * A guest is never started while a previous placement may still run: a start waits for the halt to
 * be confirmed or the host to be fenced (unless the package explicitly does not wait for fencing).
 * Facts about an older epoch and facts seen before change nothing; a reporter's resend is told by its
 * sequence number ({@link Numbering}). A fact about an application the package does not name is an
 * alert and counts nowhere; the state keeps only what the package names ({@link GuestState}).
 *
 * <p>How: {@link #decide} drops what was seen before and what is about an older epoch, then hands the
 * fact to the one policy whose concern it is, in a {@link Turn} (the work on one fact), where each
 * decision is written with a {@link DecisionBuilder}; then, when the fact ended a hold, it carries out
 * what the hold kept back ({@link HeldActions}), alerts on a wrong sequence number, and keeps the state
 * bounded.
 */
public final class Decider {

    /** The CloudEvents source of everything the decider emits. */
    public static final String SOURCE = "/policy-engine";

    private final ApplicationPolicy applications;
    private final HostPolicy hosts;
    private final FencePolicy fences;
    private final PlacementPolicy placements;
    private final MigrationPolicy migrations;
    private final OperatorPolicy operators;
    private final HeldActions held;

    /**
     * @param defaultLimit the restart limit for applications of guests with no package applied
     */
    public Decider(RestartLimit defaultLimit) {
        Moves moves = new Moves();
        this.fences = new FencePolicy();
        this.applications = new ApplicationPolicy(defaultLimit, moves);
        this.placements = new PlacementPolicy(moves);
        this.migrations = new MigrationPolicy(moves);
        this.hosts = new HostPolicy(moves, fences, migrations);
        this.operators = new OperatorPolicy(moves, hosts, migrations);
        this.held = new HeldActions(moves, hosts);
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
        GuestSeqs numbers = fact.guestSeq() == null ? state.guestSeqs() : numbering.record(state.guestSeqs(), fact.guestSeq());
        GuestState seen = state.seen(key, fact.guestSeq(), decisionTime.toEpochMilli(), numbers);
        if (fact.epoch() != null && fact.epoch() < state.placement().epoch()) {
            return Outcome.unchanged(seen); // about a placement that is over
        }
        Turn turn = new Turn(fact, decisionTime, seen, view);
        fact.data().accept(new Router(turn));
        if (turn.holdsEnded()) {
            held.resume(turn);
        }
        afterFact(turn, numbering, state.guestSeqs());
        return turn.outcome();
    }

    /**
     * What every fact is followed by, whatever its type: the alert its sequence number calls for
     * ({@link Numbering}), the end of a fence watch whose placement no longer waits, and the host sets
     * kept to the hosts that matter.
     */
    private static void afterFact(Turn t, Numbering numbering, GuestSeqs before) {
        CloudEvent<? extends Fact> fact = t.fact();
        Decision.Reason reason = switch (numbering) {
            case JUMP -> DecisionReason.SEQUENCE_JUMP.toReason(t.guest(), fact.id(), fact.guestSeq(),
                    before.highest().orElse(0), Numbering.MAX_STEP);
            case REUSED -> DecisionReason.SEQUENCE_REUSED.toReason(t.guest(), fact.id(), fact.guestSeq());
            case NEW_RUN -> Numbering.farAhead(before, fact.guestSeq())
                    ? DecisionReason.SEQUENCE_RUN_FAR_AHEAD.toReason(t.guest(), fact.id(), fact.guestSeq(),
                            before.highest().orElse(0)) : null;
            default -> null;
        };
        if (reason != null) {
            t.decide(Action.ALERT, reason).app(fact.data().appName()).from(t.placement().host()).record();
        }
        if (t.placement().phase() != PlacementPhase.FENCING && t.state().fence() != null) {
            t.state(t.state().fenceOver()); // the fence it waited for is over, one way or another
        }
        t.state(t.state().hostsBounded());
    }

    /** Hands each type of fact to the policy whose concern it is. */
    private final class Router implements Fact.Visitor<Void> {
        private final Turn t;

        Router(Turn turn) {
            this.t = turn;
        }

        @Override
        public Void appStarted(AppStarted started) {
            applications.reported(t, started.app(), started);
            return null;
        }

        @Override
        public Void appStopped(AppStopped stopped) {
            applications.reported(t, stopped.app(), stopped);
            return null;
        }

        @Override
        public Void appFailed(AppFailed failed) {
            applications.failed(t, failed);
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
        public Void packageApplied(PackageApplied applied) {
            placements.packageApplied(t, applied.spec());
            return null;
        }

        @Override
        public Void guestStarted(GuestStarted started) {
            placements.started(t, started);
            return null;
        }

        @Override
        public Void guestHalted(GuestHalted halted) {
            placements.halted(t, halted);
            return null;
        }

        @Override
        public Void guestStartFailed(GuestStartFailed failed) {
            placements.startFailed(t, failed);
            return null;
        }

        @Override
        public Void guestHaltFailed(GuestHaltFailed failed) {
            fences.haltFailed(t, failed);
            return null;
        }

        @Override
        public Void hostLost(HostLost lost) {
            hosts.lost(t, lost);
            return null;
        }

        @Override
        public Void hostFenced(HostFenced fenced) {
            hosts.fenced(t, fenced.host());
            return null;
        }

        @Override
        public Void hostAvailable(HostAvailable available) {
            hosts.back(t, available.host());
            return null;
        }

        @Override
        public Void migrationStarted(MigrationStarted started) {
            return null; // the placement changes only when the migration completes
        }

        @Override
        public Void migrationCompleted(MigrationCompleted completed) {
            migrations.completed(t, completed);
            return null;
        }

        @Override
        public Void migrationFailed(MigrationFailed failed) {
            migrations.failed(t, failed);
            return null;
        }

        @Override
        public Void contactLost(ContactLost lost) {
            migrations.contactLost(t, lost);
            return null;
        }

        @Override
        public Void deadlineReached(DeadlineReached reached) {
            fences.fenceIfDue(t); // its content decides nothing: what is due is in the state
            return null;
        }

        @Override
        public Void commandRefused(CommandRefused refused) {
            placements.refused(t, refused);
            return null;
        }

        @Override
        public Void operatorRequest(OperatorRequest request) {
            operators.request(t, request);
            return null;
        }
    }
}
