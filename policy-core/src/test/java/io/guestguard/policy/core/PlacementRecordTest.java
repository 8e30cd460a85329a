package io.guestguard.policy.core;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RefusalReason;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a guest's state shows on {@code placements.v1} for {@code guestguard status} (issue 17): switching,
 * maintenance, the hosts it knows, a migration under way, each application's failures with the last
 * one and its backoff; and nothing more than before for a guest with nothing to say.
 */
class PlacementRecordTest {

    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private final Decider decider = new Decider(new RestartLimit(2));

    @Test
    void aGuestRunningQuietlyShowsWhatThePreviousReleaseShowed() {
        GuestState state = run(applied(), started("s", "h1", 1));

        assertThat(PlacementRecord.of(state)).isEqualTo(new GuestPlacement("h1", 1, PlacementPhase.RUNNING, Map.of()));
    }

    @Test
    void aCountedFailureShowsItsCauseHowItWasNoticedAndItsBackoff() {
        GuestState state = run(applied(), started("s", "h1", 1), at(10, fact("f1", AppFailed.killed("app1", 101, "KILL"))),
                at(20, fact("f2", AppFailed.unhealthy("app1", null, "monitor", "OCF_NOT_RUNNING (7)"))));

        GuestPlacement.AppFailures app1 = PlacementRecord.of(state).app("app1");

        assertThat(app1.failureTimesMs()).containsExactly(T0.plusSeconds(10).toEpochMilli(), T0.plusSeconds(20).toEpochMilli());
        assertThat(app1.lastFailure()).isEqualTo(new GuestPlacement.LastFailure(T0.plusSeconds(20).toEpochMilli(), null, null, null,
                "monitor", "OCF_NOT_RUNNING (7)", T0.plusSeconds(20).plusMillis(2_000).toEpochMilli()));
        assertThat(PlacementRecord.of(state).failures()).containsEntry("app1", 2);
    }

    @Test
    void switchingMaintenanceAndTheHostsItKnowsAreShown() {
        GuestState state = run(applied(), started("s", "h1", 1), operator("d", OperatorRequest.Action.DISABLE_SWITCHING, null),
                operator("m", OperatorRequest.Action.MAINTENANCE_ON, null), operator("hm", OperatorRequest.Action.HOST_MAINTENANCE_ON, "h3"),
                operator("hd", OperatorRequest.Action.HOST_DETACH, "h2"));

        GuestPlacement shown = PlacementRecord.of(state);

        assertThat(shown.switchingDisabled()).isTrue();
        assertThat(shown.packageMaintenance()).isTrue();
        assertThat(shown.hostsInMaintenance()).containsExactly("h3");
        assertThat(shown.detachedHosts()).containsExactly("h2");
        assertThat(PlacementRecord.of(run(applied(), started("s", "h1", 1), operator("d", OperatorRequest.Action.DISABLE_SWITCHING, null),
                operator("e", OperatorRequest.Action.ENABLE_SWITCHING, null))).switchingDisabled()).isFalse();
    }

    @Test
    void aMigrationIsUnderWayFromItsDecisionUntilItCompletesFailsOrIsRefused() {
        GuestState asked = run(applied(), started("s", "h1", 1), at(5, operator("mg", OperatorRequest.Action.MIGRATE, "h2")));

        assertThat(PlacementRecord.of(asked).migration()).isEqualTo(new GuestPlacement.Migration("h1", "h2", T0.plusSeconds(5).toEpochMilli()));
        assertThat(PlacementRecord.of(run(asked, onHost("mc", "h1", 1L, new MigrationCompleted("h1", "h2")))).migration()).isNull();
        assertThat(PlacementRecord.of(run(asked, onHost("mf", "h1", 1L, new MigrationFailed("h1", "h2", "no memory")))).migration()).isNull();
        assertThat(PlacementRecord.of(run(asked, onHost("r", "h1", 1L, new CommandRefused("h1", "migrate-mg", CommandKind.MIGRATE_GUEST,
                RefusalReason.STALE_EPOCH, "stale")))).migration()).isNull();
        assertThat(PlacementRecord.of(run(asked, onHost("r", "h1", 1L, new CommandRefused("h1", "restart-x", CommandKind.RESTART_APP,
                RefusalReason.STALE_EPOCH, "stale")))).migration()).as("another command's refusal").isNotNull();
    }

    @Test
    void anOperatorsHaltShowsAsTheMotiveOfAGuestDown() {
        GuestState halted = run(applied(), started("s", "h1", 1), operator("h", OperatorRequest.Action.HALT, null),
                onHost("hd", "h1", 1L, new io.guestguard.protocol.GuestHalted("h1")));

        assertThat(PlacementRecord.of(halted).phase()).isEqualTo(PlacementPhase.DOWN);
        assertThat(PlacementRecord.of(halted).motive()).isEqualTo("OPERATOR_HALT");
    }

    private GuestState run(CloudEvent<?>... facts) {
        return run(GuestState.EMPTY, facts);
    }

    @SuppressWarnings("unchecked")
    private GuestState run(GuestState from, CloudEvent<?>... facts) {
        GuestState state = from;
        for (CloudEvent<?> fact : facts) {
            state = decider.decide(state, (CloudEvent<? extends Fact>) fact, fact.time()).state();
        }
        return state;
    }

    private static CloudEvent<PackageApplied> applied() {
        return CloudEvent.ofGuest("p", "/operator/alice", T0, "g1", new PackageApplied(new PackageSpec("g1", List.of("h1", "h2", "h3"),
                PackageSpec.FailoverPolicy.CONFIGURED_NODE, PackageSpec.FailbackPolicy.MANUAL, false, true,
                List.of(new PackageSpec.AppPolicy("app1", 3, null, new PackageSpec.Backoff(1_000, 2, 30_000))))));
    }

    private static CloudEvent<GuestStarted> started(String id, String host, long epoch) {
        return onHost(id, host, epoch, new GuestStarted(host));
    }

    private static <F extends Fact> CloudEvent<F> onHost(String id, String host, Long epoch, F fact) {
        return new CloudEvent<>(id, "/host/" + host, T0, "g1", null, host, epoch, fact);
    }

    private static <F extends Fact> CloudEvent<F> fact(String id, F fact) {
        return CloudEvent.ofGuest(id, "/guest/g1/reporter", T0, "g1", fact);
    }

    private static CloudEvent<OperatorRequest> operator(String id, OperatorRequest.Action action, String host) {
        return CloudEvent.ofGuest(id, "/operator/alice", T0, "g1", new OperatorRequest(action, host, "alice"));
    }

    private static <F extends Fact> CloudEvent<F> at(int seconds, CloudEvent<F> fact) {
        return new CloudEvent<>(fact.id(), fact.source(), T0.plusSeconds(seconds), fact.guestId(), fact.guestSeq(), fact.hostId(),
                fact.epoch(), fact.data());
    }
}
