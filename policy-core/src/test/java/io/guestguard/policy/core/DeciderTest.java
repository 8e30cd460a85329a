package io.guestguard.policy.core;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.RefusalReason;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.ReporterStarted;
import io.guestguard.protocol.RestartApp;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeciderTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private final Decider decider = new Decider(new RestartLimit(2));

    @Test
    void restartsAFailedAppUpToItsLimitThenGivesUp() {
        List<Outcome> outcomes = run(decider, failed("f1", 101), failed("f2", 102), failed("f3", 103));

        assertThat(outcomes.get(0).commands()).singleElement().satisfies(c -> {
            assertThat(c.data()).isEqualTo(new RestartApp("app1", 1, 2, 0L, "decision-f1"));
            assertThat(c.id()).isEqualTo("restart-f1");
            assertThat(c.guestId()).isEqualTo("g1");
            assertThat(c.time()).as("stamped with the decision time").isEqualTo(T0);
        });
        assertThat(outcomes.get(1).commands()).singleElement()
                .satisfies(c -> assertThat(((RestartApp) c.data()).attempt()).isEqualTo(2));
        assertThat(outcomes.get(2).commands()).isEmpty();
        Decision gaveUp = outcomes.get(2).decisions().get(0).data();
        assertThat(gaveUp.action()).isEqualTo(Decision.Action.NONE);
        assertThat(gaveUp.reason().code()).isEqualTo("RESTART_LIMIT_EXCEEDED_NO_PACKAGE");
        assertThat(gaveUp.reason().text()).isEqualTo("app1 failed (SIGKILL); its restart limit of 2 is used up and no package is applied, so it cannot fail over");
        assertThat(gaveUp.causeIds()).containsExactly("f3");
    }

    @Test
    void everyDecisionNamesItsCauseAndItsCommands() {
        Outcome outcome = run(decider, failed("f1", 101)).get(0);

        CloudEvent<Decision> decision = outcome.decisions().get(0);
        assertThat(decision.id()).isEqualTo("decision-f1");
        assertThat(decision.data().action()).isEqualTo(Decision.Action.RESTART_APP);
        assertThat(decision.data().reason().text()).isEqualTo("app1 failed (SIGKILL); restart 1 of 2 allowed");
        assertThat(decision.data().causeIds()).containsExactly("f1");
        assertThat(decision.data().commandIds()).containsExactly(outcome.commands().get(0).id());
    }

    @Test
    void theSameFailureReportedTwiceIsCountedOnce() {
        List<Outcome> outcomes = run(decider, failed("f1", 101), failed("f1-again", 101));

        assertThat(outcomes.get(1).decisions()).isEmpty();
        assertThat(outcomes.get(1).state().app("app1").failures()).isEqualTo(1);
    }

    @Test
    void aFactTheReporterResentLongAfterItsFirstDeliveryIsDroppedBySequenceNumber() {
        List<CloudEvent<?>> facts = new ArrayList<>();
        facts.add(unhealthy("u1").withGuestSeq(1)); // no pid, so only the sequence number tells a resend
        for (int i = 2; i <= RecentFacts.MAX_FACTS + 10; i++) {
            facts.add(started("s" + i, 200 + i).withGuestSeq(i)); // pushes u1 out of the recent facts
        }
        facts.add(unhealthy("u1").withGuestSeq(1)); // the outbox resends it after an outage
        facts.add(unhealthy("u2").withGuestSeq(RecentFacts.MAX_FACTS + 11));

        List<Outcome> outcomes = run(decider, facts.toArray(CloudEvent<?>[]::new));

        Outcome resent = outcomes.get(outcomes.size() - 2);
        assertThat(resent.decisions()).isEmpty();
        assertThat(resent.state()).isEqualTo(outcomes.get(outcomes.size() - 3).state());
        Outcome next = outcomes.get(outcomes.size() - 1);
        assertThat(next.state().app("app1").failures()).as("the resend was not counted, the new failure was").isEqualTo(2);
        assertThat(next.state().guestSeqs().ranges()).containsExactly(new GuestSeqs.Range(1, RecentFacts.MAX_FACTS + 11));
    }

    @Test
    void aReporterWithANewOutboxStartsTheSequenceAgain() {
        CloudEvent<?> fresh = CloudEvent.ofGuest("r1", "/guest/g1/reporter", T0, "g1", new ReporterStarted(0, 0)).withGuestSeq(1);

        List<Outcome> outcomes = run(decider, failed("f1", 101).withGuestSeq(7), fresh, failed("f2", 102).withGuestSeq(2));

        assertThat(outcomes.get(1).state().guestSeqs().ranges()).containsExactly(new GuestSeqs.Range(1, 1));
        assertThat(outcomes.get(2).commands()).as("seq 2 of the new outbox is new").hasSize(1);
    }

    @Test
    void decisionsRunOnTheDecisionTimeAndRecordTheFactsOwnTime() {
        Instant skewed = T0.minus(java.time.Duration.ofHours(2));
        CloudEvent<AppFailed> fact = CloudEvent.ofGuest("f1", "/guest/g1/reporter", skewed, "g1",
                AppFailed.killed("app1", 101, "KILL"));

        Outcome outcome = decider.decide(GuestState.EMPTY, fact, T0);

        assertThat(outcome.decisions()).singleElement().satisfies(d -> {
            assertThat(d.time()).isEqualTo(T0);
            assertThat(d.data().factTime()).isEqualTo(skewed);
        });
        assertThat(outcome.commands()).singleElement().satisfies(c -> assertThat(c.time()).isEqualTo(T0));
        assertThat(outcome.state().clockMs()).isEqualTo(T0.toEpochMilli());
        assertThat(outcome.state().app("app1").failureTimesMs()).containsExactly(T0.toEpochMilli());
    }

    @Test
    void failuresWithoutAPidAreEachCounted() {
        List<Outcome> outcomes = run(decider, unhealthy("m1"), unhealthy("m2"));

        assertThat(outcomes.get(1).state().app("app1").failures()).isEqualTo(2);
        assertThat(outcomes.get(1).decisions().get(0).data().reason().text())
                .isEqualTo("app1 failed (monitor: OCF_NOT_RUNNING (7)); restart 2 of 2 allowed");
    }

    @Test
    void startsDoNotResetTheBudget() {
        List<Outcome> outcomes = run(decider, failed("f1", 101), started("s1", 201), failed("f2", 201), started("s2", 301));

        assertThat(outcomes.get(3).state().app("app1").failures()).isEqualTo(2);
    }

    @Test
    void unlimitedNeverGivesUpAndNoneNeverRestarts() {
        List<Outcome> unlimited = run(new Decider(RestartLimit.parse("unlimited")),
                failed("a", 1), failed("b", 2), failed("c", 3), failed("d", 4));
        assertThat(unlimited).allSatisfy(o -> assertThat(o.commands()).hasSize(1));

        List<Outcome> none = run(new Decider(RestartLimit.parse("none")), failed("a", 1));
        assertThat(none.get(0).commands()).isEmpty();
        assertThat(none.get(0).decisions().get(0).data().reason().code()).isEqualTo("RESTART_LIMIT_EXCEEDED_NO_PACKAGE");
    }

    @Test
    void sameInputGivesSameDecisions() {
        CloudEvent<?>[] facts = {failed("f1", 1), started("s1", 2), failed("f2", 2), failed("f3", 3)};
        assertThat(run(decider, facts)).isEqualTo(run(new Decider(new RestartLimit(2)), facts));
    }

    @Test
    void restartLimitParsingRejectsNonsense() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RestartLimit.parse("often"))
                .hasMessageContaining("none, unlimited or a number");
        assertThat(RestartLimit.parse(" 3 ")).isEqualTo(new RestartLimit(3));
    }

    // ---- an operator's live migration ----

    @Test
    void anOperatorsMigrateAsksTheRunningHostToMigrateAndThePlacementMovesOnlyWhenItCompletes() {
        List<Outcome> outcomes = run(decider, applied("p"), guestStarted("s", "h1", 1), failed("f1", 101),
                migrate("m", "h2"));

        Outcome asked = outcomes.get(3);
        CloudEvent<Decision> decision = asked.decisions().get(0);
        assertThat(decision.id()).isEqualTo("decision-m");
        assertThat(decision.data().action()).isEqualTo(Decision.Action.MIGRATE);
        assertThat(decision.data().fromHost()).isEqualTo("h1");
        assertThat(decision.data().toHost()).isEqualTo("h2");
        assertThat(decision.data().epoch()).isEqualTo(1L);
        assertThat(decision.data().reason().code()).isEqualTo("OPERATOR_MIGRATE");
        assertThat(decision.data().reason().text())
                .isEqualTo("operator alice live-migrates g1 from h1 to h2 (epoch 1); its restart budgets go with it");
        assertThat(decision.data().commandIds()).containsExactly("migrate-m");
        CloudEvent<Command> command = asked.commands().get(0);
        assertThat(asked.commands()).hasSize(1);
        assertThat(command.id()).isEqualTo("migrate-m");
        assertThat(command.data()).isEqualTo(new MigrateGuest("g1", "h1", "h2", 1, "decision-m"));
        assertThat(command.hostId()).as("keyed by the host that migrates it").isEqualTo("h1");
        assertThat(command.epoch()).isEqualTo(1L);
        assertThat(asked.state().placement()).as("nothing moves before the migration completes")
                .isEqualTo(outcomes.get(2).state().placement());

        List<Outcome> after = run(decider, asked.state(),
                onHost("ms", "h1", 1L, new MigrationStarted("h1", "h2")),
                onHost("mc", "h1", 1L, new MigrationCompleted("h1", "h2")));
        Placement moved = after.get(1).state().placement();
        assertThat(moved.host()).isEqualTo("h2");
        assertThat(moved.epoch()).isEqualTo(2);
        assertThat(moved.phase()).isEqualTo(PlacementPhase.RUNNING);
        assertThat(after.get(1).state().app("app1").failures()).as("the budget goes with the guest").isEqualTo(1);
    }

    @Test
    void aMigrateToAHostThatIsNotEligibleIsAnAlert() {
        Outcome outcome = run(decider, applied("p"), guestStarted("s", "h1", 1), migrate("m", "h9")).get(2);

        assertThat(outcome.commands()).isEmpty();
        assertThat(outcome.decisions()).singleElement().satisfies(d -> {
            assertThat(d.data().action()).isEqualTo(Decision.Action.ALERT);
            assertThat(d.data().reason().code()).isEqualTo("HOST_NOT_ELIGIBLE");
            assertThat(d.data().reason().text()).startsWith("operator alice asked for migrate on h9");
        });
    }

    @Test
    void aMigrateInMaintenanceOrWithSwitchingDisabledIsAHold() {
        Outcome maintenance = run(decider, applied("p"), guestStarted("s", "h1", 1),
                operator("mo", OperatorRequest.Action.MAINTENANCE_ON, null), migrate("m", "h2")).get(3);
        Outcome disabled = run(decider, applied("p"), guestStarted("s", "h1", 1),
                operator("ds", OperatorRequest.Action.DISABLE_SWITCHING, null), migrate("m", "h2")).get(3);

        for (Outcome held : List.of(maintenance, disabled)) {
            assertThat(held.commands()).isEmpty();
            assertThat(held.decisions()).singleElement()
                    .satisfies(d -> assertThat(d.data().action()).isEqualTo(Decision.Action.HOLD));
        }
        assertThat(maintenance.decisions().get(0).data().reason().code()).isEqualTo("PACKAGE_IN_MAINTENANCE");
        assertThat(disabled.decisions().get(0).data().reason().code()).isEqualTo("SWITCHING_DISABLED");
    }

    @Test
    void aMigrateOfAGuestThatDoesNotRunOrToItsOwnHostIsAnsweredWithAnAlertAndNoCommand() {
        List<Outcome> nowhere = run(decider, applied("p"), migrate("m1", "h2"));
        List<Outcome> same = run(decider, applied("p"), guestStarted("s", "h1", 1), migrate("m2", "h1"));

        assertThat(nowhere.get(1).commands()).isEmpty();
        assertThat(nowhere.get(1).decisions()).singleElement().satisfies(d -> {
            assertThat(d.data().action()).isEqualTo(Decision.Action.ALERT);
            assertThat(d.data().reason().code()).isEqualTo("MIGRATION_NOT_POSSIBLE");
        });
        assertThat(same.get(2).commands()).isEmpty();
        assertThat(same.get(2).decisions()).singleElement().satisfies(d -> assertThat(d.data().reason().text())
                .isEqualTo("operator alice asked to migrate g1 to h1, but it is running on h1 as epoch 1: nothing to migrate"));
    }

    // ---- a host refuses a command ----

    @Test
    void aRefusalAboutTheCurrentPlacementIsAnAlertThatChangesNothing() {
        List<Outcome> outcomes = run(decider, applied("p"), guestStarted("s", "h1", 1),
                onHost("r", "h2", 1L, new CommandRefused("h2", "start-x", CommandKind.START_GUEST,
                        RefusalReason.RUNS_ELSEWHERE, "g1 still runs on h1")));

        Outcome refused = outcomes.get(2);
        assertThat(refused.commands()).isEmpty();
        assertThat(refused.decisions()).singleElement().satisfies(d -> {
            assertThat(d.data().action()).isEqualTo(Decision.Action.ALERT);
            assertThat(d.data().reason().code()).isEqualTo("COMMAND_REFUSED");
            assertThat(d.data().reason().text()).isEqualTo("host h2 refused start-guest start-x for g1 (g1 still runs on h1); "
                    + "nothing is retried and g1 stays running on h1 as epoch 1: check it by hand");
            assertThat(d.data().fromHost()).isEqualTo("h2");
            assertThat(d.data().causeIds()).containsExactly("r");
        });
        GuestState before = outcomes.get(1).state();
        assertThat(refused.state().placement()).isEqualTo(before.placement());
        assertThat(refused.state().apps()).isEqualTo(before.apps());
        assertThat(refused.state().lostHosts()).isEqualTo(before.lostHosts());
        assertThat(refused.state().failedTargets()).isEqualTo(before.failedTargets());
    }

    @Test
    void aRefusalWithoutAnEpochIsAnAlertAndOneAboutAnOlderEpochIsDropped() {
        GuestState onEpoch2 = run(decider, applied("p"), guestStarted("s", "h1", 2)).get(1).state();

        Outcome unstamped = run(decider, onEpoch2,
                onHost("r1", "h1", null, new CommandRefused("h1", "fence-x", CommandKind.FENCE_HOST,
                        RefusalReason.FENCE_NOT_CONFIRMED, "fence hook exit 1"))).get(0);
        Outcome old = run(decider, onEpoch2,
                onHost("r2", "h2", 1L, new CommandRefused("h2", "start-y", CommandKind.START_GUEST,
                        RefusalReason.STALE_EPOCH, "stale epoch 1"))).get(0);

        assertThat(unstamped.decisions()).singleElement()
                .satisfies(d -> assertThat(d.data().reason().code()).isEqualTo("COMMAND_REFUSED"));
        assertThat(old.decisions()).isEmpty();
        assertThat(old.commands()).isEmpty();
        assertThat(old.state().placement()).isEqualTo(onEpoch2.placement());
    }

    private static List<Outcome> run(Decider decider, CloudEvent<?>... facts) {
        return run(decider, GuestState.EMPTY, facts);
    }

    @SuppressWarnings("unchecked")
    private static List<Outcome> run(Decider decider, GuestState from, CloudEvent<?>... facts) {
        List<Outcome> outcomes = new ArrayList<>();
        GuestState state = from;
        for (CloudEvent<?> fact : facts) {
            CloudEvent<? extends Fact> f = (CloudEvent<? extends Fact>) fact;
            Outcome outcome = decider.decide(state, f, f.time()); // true clocks: the decision time is the fact's own
            outcomes.add(outcome);
            state = outcome.state();
        }
        return outcomes;
    }

    private static PackageSpec spec(boolean autoRun) {
        return new PackageSpec("g1", List.of("h1", "h2", "h3"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, autoRun, true,
                List.of(new PackageSpec.AppPolicy("app1", 3, null, PackageSpec.Backoff.NONE)));
    }

    /** The package without auto_run, so the guest is placed only by the guest.started that follows. */
    private static CloudEvent<PackageApplied> applied(String id) {
        return CloudEvent.ofGuest(id, "/operator/alice", T0, "g1", new PackageApplied(spec(false)));
    }

    private static CloudEvent<GuestStarted> guestStarted(String id, String host, long epoch) {
        return onHost(id, host, epoch, new GuestStarted(host));
    }

    private static <F extends Fact> CloudEvent<F> onHost(String id, String host, Long epoch, F fact) {
        return new CloudEvent<>(id, "/host/" + host, T0, "g1", null, host, epoch, fact);
    }

    private static CloudEvent<OperatorRequest> migrate(String id, String to) {
        return operator(id, OperatorRequest.Action.MIGRATE, to);
    }

    private static CloudEvent<OperatorRequest> operator(String id, OperatorRequest.Action action, String host) {
        return CloudEvent.ofGuest(id, "/operator/alice", T0, "g1", new OperatorRequest(action, host, "alice"));
    }

    private static CloudEvent<AppFailed> failed(String id, long pid) {
        return CloudEvent.ofGuest(id, "/guest/g1/reporter", T0, "g1", AppFailed.killed("app1", pid, "KILL"));
    }

    private static CloudEvent<AppFailed> unhealthy(String id) {
        return CloudEvent.ofGuest(id, "/guest/g1/reporter", T0, "g1",
                AppFailed.unhealthy("app1", null, "monitor", "OCF_NOT_RUNNING (7)"));
    }

    private static CloudEvent<AppStarted> started(String id, long pid) {
        return CloudEvent.ofGuest(id, "/guest/g1/reporter", T0, "g1", new AppStarted("app1", pid));
    }
}
