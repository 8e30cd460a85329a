package io.guestguard.policy.core;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
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
            assertThat(c.time()).as("time is the fact's time").isEqualTo(T0);
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
        for (int i = 2; i <= GuestState.REMEMBERED_FACTS + 10; i++) {
            facts.add(started("s" + i, 200 + i).withGuestSeq(i)); // pushes u1 out of the id window
        }
        facts.add(unhealthy("u1").withGuestSeq(1)); // the outbox resends it after an outage
        facts.add(unhealthy("u2").withGuestSeq(GuestState.REMEMBERED_FACTS + 11));

        List<Outcome> outcomes = run(decider, facts.toArray(CloudEvent<?>[]::new));

        Outcome resent = outcomes.get(outcomes.size() - 2);
        assertThat(resent.decisions()).isEmpty();
        assertThat(resent.state()).isEqualTo(outcomes.get(outcomes.size() - 3).state());
        Outcome next = outcomes.get(outcomes.size() - 1);
        assertThat(next.state().app("app1").failures()).as("the resend was not counted, the new failure was").isEqualTo(2);
        assertThat(next.state().lastGuestSeq()).isEqualTo(GuestState.REMEMBERED_FACTS + 11);
    }

    @Test
    void aReporterWithANewOutboxStartsTheSequenceAgain() {
        CloudEvent<?> fresh = CloudEvent.ofGuest("r1", "/guest/g1/reporter", T0, "g1", new ReporterStarted(0, 0)).withGuestSeq(1);

        List<Outcome> outcomes = run(decider, failed("f1", 101).withGuestSeq(7), fresh, failed("f2", 102).withGuestSeq(2));

        assertThat(outcomes.get(1).state().lastGuestSeq()).isEqualTo(1);
        assertThat(outcomes.get(2).commands()).as("seq 2 of the new outbox is new").hasSize(1);
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

    @SuppressWarnings("unchecked")
    private static List<Outcome> run(Decider decider, CloudEvent<?>... facts) {
        List<Outcome> outcomes = new ArrayList<>();
        GuestState state = GuestState.EMPTY;
        for (CloudEvent<?> fact : facts) {
            Outcome outcome = decider.decide(state, (CloudEvent<? extends Fact>) fact);
            outcomes.add(outcome);
            state = outcome.state();
        }
        return outcomes;
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
