package io.guestguard.protocol.history;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.Rebind;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.RefusalReason;
import io.guestguard.protocol.RestartApp;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A guest's chain from its records: each decision hangs under the fact that caused it, each command
 * with what became of it (applied, refused, acknowledged, pending) as {@code why} has always worked it
 * out, a migration's rebinds under the migration, placements under their fact, and the engine's
 * refusals on the facts it dead-lettered.
 */
class GuestChainTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static int offset;

    @Test
    void aRestartIsAppliedByTheNextStartOfItsApplication() {
        LoggedEvent failed = fact("f1", 0, new AppFailed("app1", 42L, null, "SIGKILL", null, null));
        LoggedEvent otherApp = fact("f2", 1, new AppStarted("app2", 50L));
        LoggedEvent started = fact("f3", 2, new AppStarted("app1", 43L));
        CloudEvent<Decision> restart = decision("d1", 0, Decision.Action.RESTART_APP, "app1", null, List.of("f1"), List.of("c1"));
        LoggedEvent command = logged("c1", 0, new RestartApp("app1", 1, 2, 0, "d1"));

        GuestChain chain = GuestChain.of(List.of(failed, otherApp, started), List.of(restart), List.of(command), List.of(), Map.of());

        GuestChain.Step step = chain.steps().get(0);
        assertThat(step.fact()).isEqualTo(failed);
        assertThat(step.decisions()).singleElement().satisfies(d -> {
            assertThat(d.causes()).containsExactly(new DecisionChain.Cause("f1", failed));
            assertThat(d.commands()).singleElement().satisfies(sent -> {
                assertThat(sent.command()).as("its record, as read from the command topic").isEqualTo(command);
                assertThat(sent.outcome().kind()).isEqualTo(CommandOutcome.Kind.APPLIED);
                assertThat(sent.outcome().fact()).as("app1's start, not app2's").isEqualTo(started);
            });
        });
        assertThat(chain.steps().get(1).decisions()).isEmpty();
        assertThat(chain.uncaused()).isEmpty();
    }

    @Test
    void aRefusalIsTheOutcomeEvenWhenALaterFactLooksLikeTheCommandCarriedOut() {
        LoggedEvent lost = fact("f1", 0, new HostLost("primary"));
        LoggedEvent refusal = fact("f2", 1, new CommandRefused("primary", "c1", CommandKind.HALT_GUEST, RefusalReason.STALE_EPOCH, "epoch 1 < 2"));
        LoggedEvent halted = fact("f3", 2, new GuestHalted("primary"));
        CloudEvent<Decision> failover = decision("d1", 0, Decision.Action.FAILOVER, null, "primary", List.of("f1"), List.of("c1"));

        DecisionChain explained = GuestChain.of(List.of(lost, refusal, halted), List.of(failover), List.of(), List.of(), Map.of())
                .explain(failover);

        assertThat(explained.commands()).singleElement().satisfies(sent -> {
            assertThat(sent.command()).as("the command topic was not read").isNull();
            assertThat(sent.outcome().kind()).isEqualTo(CommandOutcome.Kind.REFUSED);
            assertThat(sent.outcome().fact()).isEqualTo(refusal);
            assertThat(sent.outcome().describe()).contains("primary refused halt-guest c1: epoch 1 < 2");
        });
    }

    @Test
    void aCommandWithNoFactAfterItIsPendingAndADecisionWhoseCauseWasNotReadIsUncaused() {
        LoggedEvent halted = fact("f1", 0, new GuestHalted("primary"));
        CloudEvent<Decision> before = decision("d1", 5, Decision.Action.FAILOVER, null, "primary", List.of("gone"), List.of("c1"));

        GuestChain chain = GuestChain.of(List.of(halted), List.of(before), List.of(), List.of(), Map.of());

        assertThat(chain.steps()).singleElement().satisfies(s -> assertThat(s.decisions()).isEmpty());
        assertThat(chain.uncaused()).singleElement().satisfies(d -> {
            assertThat(d.causes()).containsExactly(new DecisionChain.Cause("gone", null));
            assertThat(d.commands().get(0).outcome().kind()).as("the only halt came before the decision").isEqualTo(CommandOutcome.Kind.PENDING);
        });
    }

    @Test
    void aMigrationsRebindIsAcknowledgedByItsReboundAndPlacementsAndRefusalsSitOnTheirFacts() {
        LoggedEvent migrating = fact("f1", 0, new MigrationStarted("primary", "standby"));
        LoggedEvent otherRebound = fact("f2", 1, new Rebound("older-rebind", "standby", 2, 10, 0, false));
        LoggedEvent rebound = fact("f3", 2, new Rebound("r1", "standby", 2, 11, 1, false));
        LoggedEvent forged = fact("f4", 3, new HostLost("standby"));
        LoggedEvent rebind = logged("r1", 1, new Rebind("standby", 2, "f1"));
        LoggedEvent unanswered = logged("r2", 3, new Rebind("standby", 2, "f1"));
        LoggedEvent placement = logged("placement-f1", 0, new GuestPlacement("standby", 2, PlacementPhase.RUNNING, Map.of()));
        LoggedEvent unrelated = logged("placement-elsewhere", 0, new GuestPlacement("primary", 1, PlacementPhase.RUNNING, Map.of()));
        HaltGuest haltOfAnother = new HaltGuest("g1", "primary", 1, "some-decision");

        GuestChain chain = GuestChain.of(List.of(migrating, otherRebound, rebound, forged), List.of(),
                List.of(rebind, unanswered, logged("c9", 0, haltOfAnother)), List.of(placement, unrelated),
                Map.of(forged.where(), "unsigned: the event has no dssematerial"));

        GuestChain.Step step = chain.steps().get(0);
        assertThat(step.commands()).extracting(DecisionChain.Sent::id).containsExactly("r1", "r2");
        assertThat(step.commands().get(0).outcome()).isEqualTo(new CommandOutcome(CommandOutcome.Kind.ACKNOWLEDGED, rebound));
        assertThat(step.commands().get(1).outcome().kind()).isEqualTo(CommandOutcome.Kind.PENDING);
        assertThat(step.placements()).containsExactly(placement);
        assertThat(step.refused()).isNull();
        assertThat(chain.steps().get(3).refused()).isEqualTo("unsigned: the event has no dssematerial");
        assertThat(chain.steps()).allSatisfy(s -> assertThat(s.commands()).noneMatch(c -> c.id().equals("c9")));
    }

    private static LoggedEvent fact(String id, int seconds, Payload fact) {
        return logged(id, seconds, fact);
    }

    private static LoggedEvent logged(String id, int seconds, Payload data) {
        offset++;
        return new LoggedEvent(CloudEvent.ofGuest(id, "/test", T0.plusSeconds(seconds), "g1", data), "topic-0@" + offset, offset,
                T0.plusSeconds(seconds));
    }

    private static CloudEvent<Decision> decision(String id, int seconds, Decision.Action action, String app, String fromHost,
                                                 List<String> causes, List<String> commands) {
        return CloudEvent.ofGuest(id, "/policy-engine", T0.plusSeconds(seconds), "g1", new Decision(action, app, null, null, null,
                fromHost, null, null, new Decision.Reason("TEST", "test"), causes, commands, Map.of()));
    }
}
