package io.guestguard.cli;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code guestguard why}'s answer to "why did this not fail over", for each reason: the limit not reached,
 * failures aged out of the window, a host not eligible, a fence pending, switching disabled, a failover
 * held. States are the real decider's, from facts.
 */
class WhyNotTest {

    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private final Decider decider = new Decider(new RestartLimit(3));

    @Test
    void theLimitNotReachedSaysHowManyRestartsAreLeftAndWhenTheOldestFailureAgesOut() {
        GuestState state = run(applied(2, true), started(), killed("k1", 10));

        assertThat(text(state, T0.plusSeconds(20))).contains(
                "app1         1 failure(s) counted, 1 within its 10m window of a limit of 2: the limit is not reached: 1 restart(s) left before a failover (the oldest ages out at ");
    }

    @Test
    void failuresThatAgedOutOfTheWindowNoLongerCount() {
        GuestState state = run(applied(2, true), started(), killed("k1", 10), killed("k2", 20));

        assertThat(text(state, T0.plusSeconds(30))).contains("2 failure(s) counted, 2 within its 10m window of a limit of 2: its next failure fails the guest over");
        assertThat(text(state, T0.plusSeconds(615))).contains("2 failure(s) counted, 1 within its 10m window of a limit of 2: the limit is not reached")
                .contains("; 1 aged out of the window since");
    }

    @Test
    void switchingDisabledHoldsTheFailoverItOwes() {
        GuestState state = run(applied(0, true), started(), operator("d", OperatorRequest.Action.DISABLE_SWITCHING, null), killed("k1", 10));

        assertThat(text(state, T0.plusSeconds(20))).contains("1 within its 10m window of a limit of 0: used up: the guest must fail over")
                .contains("(app failover)")
                .contains("a failover is owed (an application used up its restarts) and held")
                .contains("switching is disabled: a failover is held until it is enabled again (guestguard guest enable-switching --guest g1)");
    }

    @Test
    void hostsNotEligibleAreNamedWithWhyAndNoneEligibleIsSaid() {
        GuestState state = run(applied(2, true), started(), operator("m", OperatorRequest.Action.HOST_MAINTENANCE_ON, "h2"),
                operator("d", OperatorRequest.Action.HOST_DETACH, "h3"));

        assertThat(text(state, T0.plusSeconds(20))).contains("host h2         is in maintenance").contains("host h3         is detached")
                .contains("no other host of its package is eligible: a failover would be held until one is");
    }

    @Test
    void aLostHostMakesTheGuestWaitForItsFence() {
        GuestState state = run(applied(2, true), started(), new CloudEvent<>("lost", "/policy-engine", T0.plusSeconds(5), "g1", null, "h1", null,
                new HostLost("h1", null)));

        assertThat(text(state, T0.plusSeconds(20))).contains("now: FENCING on h1")
                .contains("a fence is pending: it waits for h1 to be fenced before it starts elsewhere (asked 1 time(s)")
                .contains("host h2         is eligible").doesNotContain("no other host");
    }

    @Test
    void theDetachedHostItRunsOnAndTheMaintenanceOfItsPackageAreSaid() {
        GuestState state = run(applied(2, true), started(), operator("d", OperatorRequest.Action.HOST_DETACH, "h1"),
                operator("m", OperatorRequest.Action.MAINTENANCE_ON, null));

        assertThat(text(state, T0.plusSeconds(20))).contains("its host h1 is detached: nothing moves it off or fences it (guestguard host run h1)")
                .contains("the package is in maintenance: nothing is restarted or moved");
    }

    @Test
    void anUnlimitedApplicationIsNeverFailedOverAndOneApplicationCanBeAskedAbout() {
        GuestState state = run(applied(null, false), started(), killed("k1", 10));

        String text = text(state, T0.plusSeconds(20));
        assertThat(text).contains("1 within its window (never ages out) of a limit of unlimited: it is always restarted, never failed over");
        assertThat(String.join("\n", WhyNot.lines("g1", state, "app9", T0))).doesNotContain("app1");
    }

    private static String text(GuestState state, Instant now) {
        return String.join("\n", WhyNot.lines("g1", state, null, now));
    }

    @SuppressWarnings("unchecked")
    private GuestState run(CloudEvent<?>... facts) {
        GuestState state = GuestState.EMPTY;
        for (CloudEvent<?> fact : facts) {
            state = decider.decide(state, (CloudEvent<? extends Fact>) fact, fact.time()).state();
        }
        return state;
    }

    private static CloudEvent<PackageApplied> applied(Integer limit, boolean window) {
        return CloudEvent.ofGuest("p", "/operator/alice", T0, "g1", new PackageApplied(new PackageSpec("g1", List.of("h1", "h2", "h3"),
                PackageSpec.FailoverPolicy.CONFIGURED_NODE, PackageSpec.FailbackPolicy.MANUAL, false, true,
                List.of(new PackageSpec.AppPolicy("app1", limit, window ? 600_000L : null, PackageSpec.Backoff.NONE)))));
    }

    private static CloudEvent<GuestStarted> started() {
        return new CloudEvent<>("s", "/host/h1", T0, "g1", null, "h1", 1L, new GuestStarted("h1"));
    }

    private static CloudEvent<AppFailed> killed(String id, int seconds) {
        return CloudEvent.ofGuest(id, "/guest/g1/reporter", T0.plusSeconds(seconds), "g1", AppFailed.killed("app1", 100 + seconds, "KILL"));
    }

    private static CloudEvent<OperatorRequest> operator(String id, OperatorRequest.Action action, String host) {
        return CloudEvent.ofGuest(id, "/operator/alice", T0.plusSeconds(1), "g1", new OperatorRequest(action, host, "alice"));
    }
}
