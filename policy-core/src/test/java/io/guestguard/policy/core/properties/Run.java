package io.guestguard.policy.core.properties;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.FleetView;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.Placement;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppCommand;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStartFailed;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.StartApp;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.StopApp;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One run of the decider over a sequence of facts: feeds each fact, keeps the trace that a failure
 * prints, and checks after every step the invariants that hold for any input, however hostile:
 * <ul>
 *   <li>a start only once the previous placement was released (property 1, on the decider's view);</li>
 *   <li>a migration keeps every budget and moves the epoch by exactly one (property 2);</li>
 *   <li>every command belongs to a decision of the same outcome, and causes are facts given so far
 *       (property 3);</li>
 *   <li>epochs never decrease, host commands carry the epoch they act on, holds issue nothing, a fact
 *       seen before or about an older epoch changes nothing, a host's refusal changes nothing and is
 *       answered by an alert at most, a migration is asked only of the running placement's host;</li>
 *   <li>an operator's halt holds until the operator runs the guest again.</li>
 * </ul>
 * Each property turns on the checks it is about ({@link Check}), so a failure names its property.
 * With {@code trueFacts} (the facts come from the well-behaved simulated fleet, {@link FleetScript}) it also keeps a ledger of
 * every placement that may run, independent of the decider's own state, and fails as soon as the
 * decider starts the guest while another host's placement is still on it.
 */
final class Run {

    static final RestartLimit DEFAULT_LIMIT = new RestartLimit(2);

    /** What a run checks; each property turns on its own. */
    enum Check {
        /** Property 1 on the decider's view: a start only once the previous placement was released. */
        START_RELEASED,
        /** Property 1 against the facts (world runs only): no start while another host may run it. */
        ONE_RUNNER,
        /** Property 2: a migration keeps the budgets and moves the epoch by exactly one. */
        MIGRATION,
        /** Property 3: commands belong to decisions of their outcome; causes are facts given so far. */
        TRACEABLE,
        /** Epochs never decrease, host commands carry their epoch, holds issue nothing, duplicates,
         *  stale facts and refusals change nothing. */
        CONSISTENT,
        /** Once an operator's halt is accepted, only an operator's run starts the guest again. */
        OPERATOR_HALT
    }

    /** One fact and what the decider made of it; {@code firstTime}: its id was never given before. */
    record Step(int index, CloudEvent<Fact> fact, FleetView view, GuestState before, Outcome outcome, boolean firstTime) {
    }

    private final Decider decider = new Decider(DEFAULT_LIMIT);
    private final boolean trueFacts;
    private final Set<Check> checks;
    private final List<Step> steps = new ArrayList<>();
    /** The steps and the world's notes, in order; formatted only when something fails. */
    private final List<Object> trace = new ArrayList<>();
    private final Set<String> given = new HashSet<>();
    /** Placements that may run, host to epoch, as the facts tell it (only with {@code trueFacts}). */
    private final Map<String, Long> mayRun = new TreeMap<>();
    private GuestState state = GuestState.EMPTY;
    /** The fact id of an accepted operator halt that no operator run has lifted yet, or null. */
    private String haltedBy;

    /**
     * @param trueFacts whether the facts come from a well-behaved world (they tell the truth)
     * @param checks what to check after every step
     */
    Run(boolean trueFacts, Set<Check> checks) {
        this.trueFacts = trueFacts;
        this.checks = Set.copyOf(checks);
    }

    boolean checks(Check check) {
        return checks.contains(check);
    }

    GuestState state() {
        return state;
    }

    List<Step> steps() {
        return steps;
    }

    /** Notes what the world did, for the trace. */
    void note(String line) {
        trace.add(line);
    }

    AssertionError failure(String what) {
        List<Object> tail = trace.size() > 80 ? trace.subList(trace.size() - 80, trace.size()) : trace;
        String lines = tail.stream().map(t -> t instanceof Step s ? describe(s) : "      world: " + t)
                .collect(Collectors.joining("\n"));
        return new AssertionError(what + "\n  package: " + describe(state.spec()) + "\n  trace ("
                + steps.size() + " facts):\n" + lines + "\n");
    }

    void require(boolean ok, Supplier<String> what) {
        if (!ok) {
            throw failure(what.get());
        }
    }

    /** Gives {@code fact} to the decider, records and checks the step, and returns the outcome. */
    Outcome feed(CloudEvent<Fact> fact, FleetView view) {
        GuestState before = state;
        boolean firstTime = given.add(fact.id());
        Outcome outcome = decider.decide(before, fact, fact.time(), view);
        Step step = new Step(steps.size(), fact, view, before, outcome, firstTime);
        steps.add(step);
        state = outcome.state();
        trace.add(step);
        checkStep(step);
        if (trueFacts && checks(Check.ONE_RUNNER)) {
            checkLedger(step);
        }
        return outcome;
    }

    // ---- the invariants of every step ----

    private void checkStep(Step s) {
        if (checks(Check.CONSISTENT)) {
            checkConsistent(s);
        }
        if (checks(Check.TRACEABLE)) {
            checkTraceable(s);
        }
        if (checks(Check.START_RELEASED)) {
            for (CloudEvent<Command> c : s.outcome().commands()) {
                if (c.data() instanceof StartGuest sg) {
                    requireReleased(s, sg);
                }
            }
        }
        if (checks(Check.MIGRATION) && s.fact().data() instanceof MigrationCompleted mc) {
            checkMigration(s, mc);
        }
        if (checks(Check.OPERATOR_HALT)) {
            checkOperatorHalt(s);
        }
    }

    private void checkOperatorHalt(Step s) {
        if (s.before().recentFacts().contains(s.fact())) {
            return; // a request delivered twice was decided once, the first time
        }
        boolean run = s.fact().data() instanceof OperatorRequest r && (r.action() == OperatorRequest.Action.RUN
                || r.action() == OperatorRequest.Action.MOVE);
        if (haltedBy != null && !run) {
            for (CloudEvent<Command> c : s.outcome().commands()) {
                require(!(c.data() instanceof StartGuest), () -> "the operator halted the guest (" + haltedBy
                        + ") and no operator ran it since, yet fact " + s.fact().id() + " starts it: " + c.data());
            }
        }
        if (run) {
            haltedBy = null; // the operator asked for it to run again
        }
        if (s.fact().data() instanceof GuestStarted && !s.before().placement().mayRun()
                && s.outcome().state().placement().phase() == PlacementPhase.RUNNING) {
            haltedBy = null; // started outside the decider and adopted: someone ran it
        }
        if (s.fact().data() instanceof OperatorRequest r && r.action() == OperatorRequest.Action.HALT
                && s.outcome().state().placement().motive() == Placement.Motive.OPERATOR_HALT
                && !s.outcome().state().placement().mayRun() || s.fact().data() instanceof OperatorRequest r2
                && r2.action() == OperatorRequest.Action.HALT && s.outcome().decisions().stream()
                .anyMatch(d -> d.data().action() == Action.HALT_GUEST)) {
            haltedBy = s.fact().id();
        }
    }

    private void checkConsistent(Step s) {
        GuestState b = s.before();
        GuestState a = s.outcome().state();
        CloudEvent<Fact> fact = s.fact();
        List<CloudEvent<Decision>> decisions = s.outcome().decisions();
        List<CloudEvent<Command>> commands = s.outcome().commands();
        Placement p = b.placement();

        boolean duplicate = b.recentFacts().contains(fact);
        if (duplicate) {
            require(decisions.isEmpty() && commands.isEmpty() && a.equals(b),
                    () -> "a fact seen before (same id " + fact.id() + ") must change nothing");
        }
        boolean stale = fact.epoch() != null && fact.epoch() < p.epoch();
        if (stale && !duplicate) {
            require(decisions.isEmpty() && commands.isEmpty() && sameExceptBookkeeping(a, b),
                    () -> "a fact about an older epoch (" + fact.epoch() + " < " + p.epoch() + ") must change nothing");
        }
        if (fact.data() instanceof CommandRefused && !duplicate) {
            require(commands.isEmpty() && decisions.stream().allMatch(d -> d.data().action() == Action.ALERT)
                            && sameExceptBookkeeping(a, b),
                    () -> "a refused command changes nothing and raises an alert at most: " + decisions);
        }
        if (fact.data() instanceof OperatorRequest r && (r.action() == OperatorRequest.Action.STOP_APP
                || r.action() == OperatorRequest.Action.START_APP) && !duplicate) {
            // An application's stop or start reaches the reporter of a running guest, for an application
            // its package names, and changes nothing else; otherwise it is an alert and sends nothing.
            boolean sendable = p.phase() == PlacementPhase.RUNNING && p.host() != null && r.app() != null
                    && (b.spec() == null || b.spec().application(r.app()).isPresent());
            require(sameExceptBookkeeping(a, b), () -> "an application's stop or start changes no placement or budget");
            require(commands.size() == (sendable ? 1 : 0) && commands.stream().allMatch(c -> c.data() instanceof AppCommand ac
                            && ac.app().equals(r.app()) && p.host().equals(c.hostId()) && Objects.equals(c.epoch(), p.epoch())),
                    () -> "an application's stop or start is sent " + (sendable ? "once, for the running placement" : "never")
                            + " (placed " + p + "): " + commands);
            require(decisions.size() == 1 && decisions.get(0).data().action() == (!sendable ? Action.ALERT
                            : r.action() == OperatorRequest.Action.STOP_APP ? Action.STOP_APP : Action.START_APP),
                    () -> "an application's stop or start is answered with one decision: " + decisions);
        }
        require(a.placement().epoch() >= p.epoch(), () -> "epochs never decrease: " + p.epoch() + " -> " + a.placement().epoch());
        require(a.clockMs() >= b.clockMs(), () -> "the decider's clock never goes back");

        // Each action issues the commands it names; a HOLD (or an alert, or nothing) issues none.
        for (CloudEvent<Decision> d : decisions) {
            if (ISSUES.containsKey(d.data().action())) {
                Class<?> expected = ISSUES.get(d.data().action());
                List<Class<?>> issued = commands.stream().filter(c -> d.data().commandIds().contains(c.id()))
                        .<Class<?>>map(c -> c.data().getClass()).toList();
                require(expected == null ? d.data().commandIds().isEmpty() : issued.equals(List.of(expected)),
                        () -> d.data().action() + " decision " + d.id() + " must issue " + (expected == null ? "no command"
                                : "one " + expected.getSimpleName()) + ", issued " + d.data().commandIds());
            }
        }

        // Host commands carry the epoch of the placement they act on.
        int starts = 0;
        for (CloudEvent<Command> c : commands) {
            Command cmd = c.data();
            require(Gen.GUEST.equals(c.guestId()), () -> "command " + c.id() + " is keyed by its guest");
            if (cmd instanceof HostCommand hc) {
                require(hc.host() != null && hc.host().equals(c.hostId()),
                        () -> "command " + c.id() + " is addressed to the host that carries it out: " + cmd);
            }
            if (cmd instanceof StartGuest sg) {
                starts++;
                require(Objects.equals(c.epoch(), sg.epoch()), () -> "StartGuest carries its epoch in the envelope");
                require(sg.epoch() == p.epoch() + 1, () -> "a start creates the next epoch: " + p.epoch() + " -> " + sg.epoch());
                require(a.placement().host() != null && a.placement().host().equals(sg.host())
                                && a.placement().epoch() == sg.epoch() && a.placement().phase() == PlacementPhase.STARTING,
                        () -> "after a start the placement is " + sg.host() + "@" + sg.epoch() + " STARTING, not " + describe(a.placement()));
                PackageSpec spec = a.spec();
                require(spec != null && spec.hosts().contains(sg.host()), () -> "starts only on a host the package lists");
                require(!a.lostHosts().contains(sg.host()) && !a.hostsInMaintenance().contains(sg.host())
                                && !a.detachedHosts().contains(sg.host()),
                        () -> "never starts on a host known lost, in maintenance or detached: " + sg.host());
            } else if (cmd instanceof HaltGuest hg) {
                // An operator's halt follows the guest when a live migration completes: it acts on the new placement.
                Placement on = fact.data() instanceof MigrationCompleted ? a.placement() : p;
                require(Objects.equals(c.epoch(), hg.epoch()), () -> "HaltGuest carries its epoch in the envelope");
                require(hg.host().equals(on.host()) && hg.epoch() == on.epoch(),
                        () -> "a halt acts on the placement " + on.host() + "@" + on.epoch() + ", not " + hg.host() + "@" + hg.epoch());
            } else if (cmd instanceof MigrateGuest mg) {
                // A migration that completed to a host the package does not list is followed by one back:
                // it acts on the placement that completion made.
                boolean back = fact.data() instanceof MigrationCompleted;
                Placement on = back ? a.placement() : p;
                require(Objects.equals(c.epoch(), mg.epoch()), () -> "MigrateGuest carries its epoch in the envelope");
                require(on.phase() == PlacementPhase.RUNNING && mg.host().equals(on.host()) && mg.epoch() == on.epoch(),
                        () -> "a migration acts on the running placement " + describe(on) + ", not " + mg.host() + "@" + mg.epoch());
                require(!mg.target().equals(mg.host()) && a.spec() != null && a.spec().hosts().contains(mg.target())
                                && !a.lostHosts().contains(mg.target()) && !a.hostsInMaintenance().contains(mg.target())
                                && !a.detachedHosts().contains(mg.target()),
                        () -> "a migration goes to another listed host, neither lost, in maintenance nor detached: " + mg);
                require(back && !a.spec().hosts().contains(mg.host()) || a.placement().equals(p),
                        () -> "asking for a migration moves nothing before it completes: " + describe(p) + " => "
                                + describe(a.placement()));
            } else if (cmd instanceof FenceHost fh) {
                require(Objects.equals(c.epoch(), p.epoch()), () -> "FenceHost carries the epoch of the placement it ends");
                require(fh.lostHost().equals(p.host()), () -> "a fence is for the host of the placement, " + p.host());
                require(!fh.host().equals(fh.lostHost()), () -> "a host does not fence itself");
                require(!a.lostHosts().contains(fh.host()), () -> "a fence runs on a surviving host, not on lost " + fh.host());
            } else if (cmd instanceof RestartApp) {
                require(c.epoch() == null || c.epoch() == p.epoch(), () -> "a restart acts on the current placement");
            }
        }
        require(starts <= 1, () -> "one fact starts the guest at most once");
    }

    /** Property 3: every command has a decision of this outcome, and causes are facts given so far. */
    private void checkTraceable(Step s) {
        List<CloudEvent<Decision>> decisions = s.outcome().decisions();
        List<CloudEvent<Command>> commands = s.outcome().commands();
        Map<String, CloudEvent<Decision>> byId = new TreeMap<>();
        for (CloudEvent<Decision> d : decisions) {
            require(byId.put(d.id(), d) == null, () -> "decision ids are unique within an outcome: " + d.id());
            require(!d.data().causeIds().isEmpty(), () -> "decision " + d.id() + " names no cause");
            for (String cause : d.data().causeIds()) {
                require(given.contains(cause), () -> "decision " + d.id() + " names cause " + cause
                        + ", which is no fact given to the decider so far");
            }
        }
        Set<String> commandIds = new LinkedHashSet<>();
        for (CloudEvent<Command> c : commands) {
            require(commandIds.add(c.id()), () -> "command ids are unique within an outcome: " + c.id());
            CloudEvent<Decision> owner = byId.get(c.data().decisionId());
            require(owner != null, () -> "command " + c.id() + " names decision " + c.data().decisionId()
                    + ", which this outcome did not emit");
            require(owner.data().commandIds().contains(c.id()), () -> "decision " + owner.id() + " does not list its command " + c.id());
        }
        List<String> listed = decisions.stream().flatMap(d -> d.data().commandIds().stream()).toList();
        require(listed.equals(List.copyOf(commandIds)), () -> "the decisions' command ids " + listed
                + " must be exactly the commands emitted " + commandIds);
    }

    /** Property 2: a migration keeps every budget, and moves the epoch by exactly one (or not at all). */
    private void checkMigration(Step s, MigrationCompleted mc) {
        GuestState b = s.before();
        GuestState a = s.outcome().state();
        Placement p = b.placement();
        Set<String> apps = new TreeSet<>(b.apps().keySet());
        apps.addAll(a.apps().keySet());
        if (b.spec() != null) {
            b.spec().applications().forEach(app -> apps.add(app.name()));
        }
        for (String app : apps) {
            require(a.app(app).failureTimesMs().equals(b.app(app).failureTimesMs()),
                    () -> "migration " + mc.from() + " -> " + mc.to() + " changed the budget of " + app + ": "
                            + b.app(app).failureTimesMs() + " -> " + a.app(app).failureTimesMs());
        }
        long grew = a.placement().epoch() - p.epoch();
        require(grew == 0 || grew == 1, () -> "a migration moves the epoch by exactly one, not " + grew);
        if (grew == 1) {
            // Running, or still being halted when an operator's halt was under way (the halt follows the guest).
            boolean halting = p.motive() == Placement.Motive.OPERATOR_HALT && a.placement().phase() == PlacementPhase.HALTING;
            require(mc.to().equals(a.placement().host()) && (a.placement().phase() == PlacementPhase.RUNNING || halting),
                    () -> "a migration moves the placement to its target, running: " + describe(a.placement()));
        } else {
            require(a.placement().equals(p), () -> "a migration that does not move the epoch leaves the placement alone");
        }
        if (trueFacts && s.firstTime()) {
            require(grew == 1, () -> "a completed live migration moves the placement to " + mc.to() + " as epoch "
                    + (p.epoch() + 1));
        }
    }

    /**
     * Property 1 on the decider's own view: a start is allowed only when the placement before the
     * fact could not be running, or its host let it go: this very fact released it (halt confirmed,
     * start failed, host fenced), or the host is known fenced, or the host is known lost (or lost by
     * this fact) and the package chose not to wait for fencing. (A loss or fence can come first and the
     * start later, when maintenance or disabled switching held the failover back.)
     */
    private void requireReleased(Step s, StartGuest sg) {
        GuestState b = s.before();
        Placement p = b.placement();
        if (!p.mayRun() || releases(s.fact(), p, b.spec()) || b.fencedHosts().contains(p.host())) {
            return;
        }
        boolean lostAndNoWait = b.lostHosts().contains(p.host()) && b.spec() != null && !b.spec().waitForFence();
        require(lostAndNoWait, () -> "StartGuest(" + sg.host() + ", epoch " + sg.epoch() + ") while the previous placement "
                + describe(p) + " may still run: fact " + s.fact().id() + " did not release it, and " + p.host()
                + " is neither fenced nor lost with wait_for_fence=false");
    }

    static boolean releases(CloudEvent<Fact> fact, Placement p, PackageSpec spec) {
        boolean sameEpoch = fact.epoch() == null || fact.epoch() == p.epoch();
        Fact f = fact.data();
        if (f instanceof GuestHalted h) {
            return h.host().equals(p.host()) && sameEpoch;
        }
        if (f instanceof GuestStartFailed sf) {
            return sf.host().equals(p.host()) && sameEpoch;
        }
        if (f instanceof HostFenced fenced) {
            return fenced.host().equals(p.host());
        }
        if (f instanceof HostLost lost) {
            return lost.host().equals(p.host()) && spec != null && !spec.waitForFence();
        }
        return false;
    }

    /**
     * Property 1 against the facts themselves: the ledger holds every placement that may run (started
     * by a command, moved by a migration) until a fact releases it. A start on a host while the
     * ledger holds another host is two runners in the making.
     */
    private void checkLedger(Step s) {
        CloudEvent<Fact> fact = s.fact();
        Fact f = fact.data();
        PackageSpec spec = s.before().spec();
        if (f instanceof GuestHalted h) {
            release(h.host(), fact.epoch());
        } else if (f instanceof GuestStartFailed sf) {
            release(sf.host(), fact.epoch());
        } else if (f instanceof HostFenced fenced) {
            mayRun.remove(fenced.host());
        } else if (f instanceof HostLost lost && spec != null && !spec.waitForFence()) {
            mayRun.remove(lost.host()); // the package's explicit choice to risk it
        } else if (f instanceof MigrationCompleted mc && fact.epoch() != null
                && fact.epoch().equals(mayRun.get(mc.from()))) {
            mayRun.remove(mc.from()); // the placement moved live: from (epoch e) to (epoch e + 1)
            mayRun.put(mc.to(), fact.epoch() + 1);
        }
        for (CloudEvent<Command> c : s.outcome().commands()) {
            if (c.data() instanceof StartGuest sg) {
                Set<String> others = new TreeSet<>(mayRun.keySet());
                others.remove(sg.host());
                require(others.isEmpty(), () -> "StartGuest(" + sg.host() + ", epoch " + sg.epoch()
                        + ") while the guest may still run on " + others.stream().map(h -> h + "@" + mayRun.get(h))
                        .collect(Collectors.joining(", ")) + " (never confirmed halted or fenced)");
                mayRun.put(sg.host(), sg.epoch());
            }
        }
    }

    private void release(String host, Long epoch) {
        Long started = mayRun.get(host);
        if (started != null && (epoch == null || epoch >= started)) {
            mayRun.remove(host);
        }
    }

    private static final Map<Action, Class<?>> ISSUES = new EnumMap<>(Action.class);

    static {
        ISSUES.put(Action.RESTART_APP, RestartApp.class);
        ISSUES.put(Action.START_GUEST, StartGuest.class);
        ISSUES.put(Action.FAILOVER, HaltGuest.class);
        ISSUES.put(Action.FAILBACK, HaltGuest.class);
        ISSUES.put(Action.MOVE, HaltGuest.class);
        ISSUES.put(Action.MIGRATE, MigrateGuest.class);
        ISSUES.put(Action.HALT_GUEST, HaltGuest.class);
        ISSUES.put(Action.FENCE_HOST, FenceHost.class);
        ISSUES.put(Action.STOP_APP, StopApp.class);
        ISSUES.put(Action.START_APP, StartApp.class);
        ISSUES.put(Action.HOLD, null);
        ISSUES.put(Action.ALERT, null);
        ISSUES.put(Action.NONE, null);
    }

    static boolean sameExceptBookkeeping(GuestState a, GuestState b) {
        return Objects.equals(a.spec(), b.spec()) && a.placement().equals(b.placement()) && a.apps().equals(b.apps())
                && a.lostHosts().equals(b.lostHosts()) && a.fencedHosts().equals(b.fencedHosts())
                && a.hostsInMaintenance().equals(b.hostsInMaintenance()) && a.detachedHosts().equals(b.detachedHosts())
                && a.failedTargets().equals(b.failedTargets())
                && a.switchingEnabled() == b.switchingEnabled() && a.maintenance() == b.maintenance();
    }

    // ---- readable traces ----

    static String describe(Placement p) {
        return (p.host() == null ? "-" : p.host()) + "@" + p.epoch() + " " + p.phase()
                + (p.nextHost() == null ? "" : " ->" + p.nextHost()) + " (" + p.motive() + ")";
    }

    static String describe(PackageSpec spec) {
        if (spec == null) {
            return "none";
        }
        return "hosts " + spec.hosts() + ", " + spec.failoverPolicy() + ", failback " + spec.failbackPolicy()
                + ", auto_run " + spec.autoRun() + ", wait_for_fence " + spec.waitForFence() + ", apps "
                + spec.applications().stream().map(a -> a.name() + "(limit " + (a.restartLimit() == null ? "unlimited"
                        : a.restartLimit()) + (a.failureWindowMs() == null ? "" : ", window " + a.failureWindowMs() + "ms")
                        + ")").collect(Collectors.joining(", "));
    }

    static String describe(Step s) {
        CloudEvent<Fact> f = s.fact();
        StringBuilder line = new StringBuilder();
        line.append(String.format("  #%-3d %-5s t=%+7.1fs %-5s %s: %s", s.index(), f.id(),
                (f.time().toEpochMilli() - Gen.T0.toEpochMilli()) / 1000.0, f.epoch() == null ? "" : "e" + f.epoch(),
                f.data().getClass().getSimpleName(), f.data().describe()));
        Placement before = s.before().placement();
        Placement after = s.outcome().state().placement();
        if (!before.equals(after)) {
            line.append("\n         placement ").append(describe(before)).append(" => ").append(describe(after));
        }
        for (CloudEvent<Decision> d : s.outcome().decisions()) {
            line.append("\n         decides ").append(d.data().action()).append(" [").append(d.data().reason().code())
                    .append("] ").append(d.data().reason().text());
        }
        for (CloudEvent<Command> c : s.outcome().commands()) {
            line.append("\n         command ").append(c.id()).append(": ").append(c.data());
        }
        return line.toString();
    }
}
