package io.guestguard.policy.core.properties;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.properties.Run.Check;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.StartApp;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Properties of the decider over random fact sequences: hostile ones (every fact kind, with old,
 * future and missing epochs, unlisted hosts, repeated pids, resent ids, times that go back) and the
 * facts of a well-behaved simulated fleet that answers the decider's own commands, with crashes,
 * partitions, failed starts, halts and fences, migrations and operators (applications' stops and
 * starts too) mixed in.
 */
class DeciderPropertiesTest {

    private static final ObjectMapper MAPPER = new EventCodec().mapper();

    // ---- property 1: exactly one runner ----

    /**
     * In a well-behaved fleet, never do two hosts run the guest; equivalently, the decider never
     * starts the guest while a placement it started earlier was neither confirmed halted nor fenced
     * (unless the package said {@code wait_for_fence=false} and that host was lost). The statistics
     * make sure the runs really go through failovers, fences, migrations and operators' stops and
     * starts of applications that the reporter carries out.
     */
    @Property(tries = 1000)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void atMostOneHostRunsTheGuest(@ForAll("simulated") Scenario.Simulated scenario) {
        Run run = new Run(true, EnumSet.of(Check.ONE_RUNNER, Check.START_RELEASED));
        scenario.play(run);

        Statistics.label("failover: halted, then started elsewhere").collect(reached(run, Action.FAILOVER));
        Statistics.label("fenced, then started elsewhere").collect(startedOn(run, f -> f.data() instanceof HostFenced));
        Statistics.label("migrated").collect(migrated(run));
        Statistics.label("migrated as an operator asked").collect(migratedOnRequest(run));
        Statistics.label("an application stopped on request").collect(run.steps().stream()
                .anyMatch(s -> s.fact().data() instanceof AppStopped));
        Statistics.label("an application started on request").collect(startedOnRequest(run));
        // The runs must reach the paths that matter (about 22 %, 12 %, 27 %, 9 %, 9 % and 24 % of them do).
        Statistics.label("failover: halted, then started elsewhere")
                .coverage(c -> c.check(true).percentage(p -> p >= 10));
        Statistics.label("fenced, then started elsewhere").coverage(c -> c.check(true).percentage(p -> p >= 6));
        Statistics.label("migrated").coverage(c -> c.check(true).percentage(p -> p >= 10));
        Statistics.label("migrated as an operator asked").coverage(c -> c.check(true).percentage(p -> p >= 2));
        Statistics.label("an application stopped on request").coverage(c -> c.check(true).percentage(p -> p >= 3));
        Statistics.label("an application started on request").coverage(c -> c.check(true).percentage(p -> p >= 8));
    }

    /**
     * On any input, however hostile, a StartGuest comes only when the placement before the fact could
     * not be running or the fact itself released it: halt confirmed, start failed, host fenced, or
     * host lost with {@code wait_for_fence=false}.
     */
    @Property(tries = 1000)
    void neverStartsWhileThePreviousPlacementMayRun(@ForAll("any") Scenario scenario) {
        scenario.play(new Run(scenario instanceof Scenario.Simulated, EnumSet.of(Check.START_RELEASED)));
    }

    // ---- property 2: a migration never resets a budget ----

    /**
     * For every migration.completed fact, each application's budget after it equals the one before,
     * and the epoch grows by exactly one (or, for a fact that is resent, stale or about the host the
     * guest is already on, the placement stays as it was); in a well-behaved fleet every completed
     * migration moves the placement.
     */
    @Property(tries = 1000)
    void aMigrationNeverResetsABudget(@ForAll("any") Scenario scenario) {
        scenario.play(new Run(scenario instanceof Scenario.Simulated, EnumSet.of(Check.MIGRATION)));
    }

    // ---- property 3: every command has a decision whose causes exist ----

    @Property(tries = 1000)
    void everyCommandHasADecisionWhoseCausesWereGiven(@ForAll("any") Scenario scenario) {
        scenario.play(new Run(scenario instanceof Scenario.Simulated, EnumSet.of(Check.TRACEABLE)));
    }

    // ---- property 4: the same input gives the same decisions ----

    /**
     * The facts of a run, fed to two fresh deciders, give equal outcomes (decisions, commands and
     * states); so they do when the state goes through JSON between every two facts, as the engine's
     * state store does, and a new decider takes every fact, as after an engine restart; and the state
     * survives that round trip unchanged.
     */
    @Property(tries = 400)
    void theSameInputGivesTheSameDecisions(@ForAll("any") Scenario scenario) {
        Run first = new Run(scenario instanceof Scenario.Simulated, EnumSet.noneOf(Check.class));
        List<CloudEvent<Fact>> facts = scenario.play(first);

        List<Outcome> one = replay(scenario, facts, false, first);
        List<Outcome> two = replay(scenario, facts, false, first);
        List<Outcome> stored = replay(scenario, facts, true, first);
        for (int n = 0; n < facts.size(); n++) {
            int i = n;
            first.require(one.get(i).equals(two.get(i)), () -> "two fresh deciders disagree on fact #" + i + " (" + facts.get(i).id()
                    + "):\n  " + one.get(i) + "\n  " + two.get(i));
            first.require(one.get(i).equals(stored.get(i)), () -> "a decider whose state went through JSON disagrees on fact #" + i
                    + " (" + facts.get(i).id() + "):\n  " + one.get(i) + "\n  " + stored.get(i));
            first.require(one.get(i).equals(first.steps().get(i).outcome()), () -> "a replay disagrees with the run on fact #" + i);
        }
    }

    // ---- property 5: a writer's clock decides nothing ----

    /**
     * A fact's own time (its writer's clock) changes no decision: the facts of a run with their times
     * moved anywhere from a year behind to a year ahead (the same move for every delivery of a fact),
     * decided at the same decision times, give the same decisions and commands, but for the
     * {@code factTime} the decisions record, and the same state, but for the digests of the recent
     * facts, which include each fact's own time.
     */
    @Property(tries = 300)
    void theFactsOwnTimeChangesNoDecision(@ForAll("any") Scenario scenario, @ForAll long seed) {
        Run first = new Run(scenario instanceof Scenario.Simulated, EnumSet.noneOf(Check.class));
        List<CloudEvent<Fact>> facts = scenario.play(first);
        Decider decider = new Decider(Run.DEFAULT_LIMIT);
        GuestState state = GuestState.EMPTY;
        long year = java.time.Duration.ofDays(365).toMillis();
        for (int n = 0; n < facts.size(); n++) {
            CloudEvent<Fact> fact = facts.get(n);
            long shift = Math.floorMod(fact.id().hashCode() * 31L + seed, 2 * year) - year;
            CloudEvent<Fact> skewed = new CloudEvent<>(fact.id(), fact.source(), fact.time().plusMillis(shift), fact.guestId(),
                    fact.guestSeq(), fact.hostId(), fact.epoch(), fact.data());
            Outcome truth = first.steps().get(n).outcome();
            Outcome outcome = decider.decide(state, skewed, fact.time(), scenario.view(n));
            int i = n;
            first.require(withoutFactTimes(outcome.decisions()).equals(withoutFactTimes(truth.decisions()))
                            && outcome.commands().equals(truth.commands()),
                    () -> "fact #" + i + " (" + fact.id() + ") stamped " + shift + " ms off decides otherwise:\n  "
                            + outcome.decisions() + "\n  " + truth.decisions());
            first.require(Run.sameExceptBookkeeping(outcome.state(), truth.state())
                            && outcome.state().clockMs() == truth.state().clockMs()
                            && outcome.state().guestSeqs().equals(truth.state().guestSeqs())
                            && Objects.equals(outcome.state().fence(), truth.state().fence()),
                    () -> "fact #" + i + " (" + fact.id() + ") stamped " + shift + " ms off leaves another state");
            state = outcome.state();
        }
    }

    private static List<Object> withoutFactTimes(List<CloudEvent<io.guestguard.protocol.Decision>> decisions) {
        return decisions.stream().<Object>map(d -> List.of(d.id(), d.time(), d.data().action(), String.valueOf(d.data().app()),
                String.valueOf(d.data().attempt()), String.valueOf(d.data().toHost()), String.valueOf(d.data().fromHost()),
                String.valueOf(d.data().epoch()), d.data().reason(), d.data().commandIds(), d.data().hostLoads(),
                String.valueOf(d.data().delayMs()), String.valueOf(d.data().limit()))).toList();
    }

    // ---- also useful ----

    /**
     * Epochs never decrease; host commands carry the epoch of the placement they act on and go to a
     * host that can carry them out; a HOLD, an alert or a NONE never comes with commands; a fact seen
     * before (same id) or about an older epoch changes nothing.
     */
    @Property(tries = 1000)
    void epochsAndCommandsStayConsistent(@ForAll("any") Scenario scenario) {
        scenario.play(new Run(scenario instanceof Scenario.Simulated, EnumSet.of(Check.CONSISTENT)));
    }

    /**
     * Once the decider accepted an operator's halt, nothing but the operator (a run or a move) starts
     * the guest again: not a late failure report, not a lost host, not a fence, not a live migration that
     * completes during the halt (the halt follows the guest to its new host).
     */
    @Property(tries = 1000)
    void anOperatorsHaltHolds(@ForAll("any") Scenario scenario) {
        scenario.play(new Run(scenario instanceof Scenario.Simulated, EnumSet.of(Check.OPERATOR_HALT)));
    }

    // ---- generators ----

    @Provide
    Arbitrary<Scenario> any() {
        return Arbitraries.oneOf(noisy(), simulated());
    }

    @Provide
    Arbitrary<Scenario.Noisy> noisy() {
        return Combinators.combine(Gen.packages(), Gen.views(),
                        Arbitraries.frequency(Tuple.of(9, true), Tuple.of(1, false)), Gen.noise())
                .as(Scenario.Noisy::new);
    }

    @Provide
    Arbitrary<Scenario.Simulated> simulated() {
        return Combinators.combine(Gen.packages(), Gen.views(), Gen.moves()).as(Scenario.Simulated::new);
    }

    // ---- helpers ----

    private static List<Outcome> replay(Scenario scenario, List<CloudEvent<Fact>> facts, boolean throughJson, Run run) {
        Decider decider = new Decider(Run.DEFAULT_LIMIT);
        GuestState state = GuestState.EMPTY;
        List<Outcome> outcomes = new ArrayList<>();
        for (int n = 0; n < facts.size(); n++) {
            int i = n;
            if (throughJson) {
                GuestState wrote = state;
                GuestState read = roundTrip(wrote);
                run.require(read.equals(wrote), () -> "the state does not survive a JSON round trip before fact #" + i
                        + ":\n  wrote " + wrote + "\n  read  " + read);
                state = read;
                decider = new Decider(Run.DEFAULT_LIMIT);
            }
            Outcome outcome = decider.decide(state, facts.get(i), facts.get(i).time(), scenario.view(i));
            outcomes.add(outcome);
            state = outcome.state();
        }
        return outcomes;
    }

    static GuestState roundTrip(GuestState state) {
        try {
            return MAPPER.readValue(MAPPER.writeValueAsBytes(state), GuestState.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a decision of {@code action} was later followed by a start of the guest. */
    private static boolean reached(Run run, Action action) {
        boolean decided = false;
        for (Run.Step s : run.steps()) {
            for (var d : s.outcome().decisions()) {
                decided |= d.data().action() == action;
                if (decided && d.data().action() == Action.START_GUEST) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a StartApp the decider issued was answered with the application started. */
    private static boolean startedOnRequest(Run run) {
        Set<String> starting = new HashSet<>();
        for (Run.Step s : run.steps()) {
            if (s.fact().data() instanceof AppStarted st && starting.contains(st.app())) {
                return true;
            }
            s.outcome().commands().stream().filter(c -> c.data() instanceof StartApp)
                    .forEach(c -> starting.add(((StartApp) c.data()).app()));
        }
        return false;
    }

    private static boolean startedOn(Run run, Predicate<CloudEvent<Fact>> fact) {
        return run.steps().stream().anyMatch(s -> fact.test(s.fact())
                && s.outcome().decisions().stream().anyMatch(d -> d.data().action() == Action.START_GUEST));
    }

    /** Whether a MigrateGuest the decider issued was carried out and moved the placement. */
    private static boolean migratedOnRequest(Run run) {
        Set<String> asked = new HashSet<>();
        for (Run.Step s : run.steps()) {
            if (s.fact().data() instanceof MigrationCompleted mc && asked.contains(mc.from() + "@" + s.fact().epoch())
                    && s.outcome().state().placement().epoch() == s.before().placement().epoch() + 1) {
                return true;
            }
            s.outcome().commands().stream().filter(c -> c.data() instanceof MigrateGuest)
                    .forEach(c -> asked.add(((MigrateGuest) c.data()).host() + "@" + c.epoch()));
        }
        return false;
    }

    private static boolean migrated(Run run) {
        return run.steps().stream().anyMatch(s -> s.fact().data() instanceof MigrationCompleted
                && s.outcome().state().placement().epoch() == s.before().placement().epoch() + 1
                && Objects.equals(s.outcome().state().placement().host(), ((MigrationCompleted) s.fact().data()).to()));
    }
}
