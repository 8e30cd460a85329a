package io.guestguard.policy.core.properties;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.GuestHaltFailed;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PackageSpec.AppPolicy;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.StartGuest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Counterexamples the properties found, reduced to the fewest facts and kept as plain examples. */
class FoundByPropertiesTest {

    private static PackageSpec spec(boolean autoRun) {
        return new PackageSpec(Gen.GUEST, List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, autoRun, true,
                List.of(new AppPolicy("app1", 0, null, PackageSpec.Backoff.NONE)));
    }

    /**
     * A package without auto_run, the guest placed nowhere, and an application over its limit: the
     * decider used to "fail over" with {@code HaltGuest(host=null)} and wait for ever in HALTING on no
     * host.
     */
    @Test
    void aGuestPlacedNowhereIsNotFailedOver() {
        List<Outcome> outcomes = run(
                fact("f0", null, null, new PackageApplied(spec(false))),
                fact("f1", null, 0L, AppFailed.killed("app1", 100, "KILL")));

        Outcome failed = outcomes.get(1);
        assertThat(failed.commands()).isEmpty();
        assertThat(failed.state().placement().phase()).isEqualTo(PlacementPhase.DOWN);
        assertThat(failed.state().placement().host()).isNull();
    }

    /**
     * An operator halts the guest; a failure report arrives after the halt (an outbox flushing late).
     * The decider used to fail the halted guest over: halt it again and, once the supervisor confirmed,
     * start it on the other host, against the operator's halt.
     */
    @Test
    void aLateFailureDoesNotStartAnOperatorHaltedGuestElsewhere() {
        List<Outcome> outcomes = run(
                fact("f0", null, null, new PackageApplied(spec(true))),
                fact("f1", "h1", 1L, new GuestStarted("h1")),
                fact("f2", null, null, new OperatorRequest(OperatorRequest.Action.HALT, null, "ops")),
                fact("f3", "h1", 1L, new GuestHalted("h1")),
                fact("f4", null, 1L, AppFailed.killed("app1", 100, "KILL")),
                fact("f5", "h1", 1L, new GuestHalted("h1")));

        assertThat(outcomes.get(0).commands()).singleElement().satisfies(c -> assertThat(c.data()).isInstanceOf(StartGuest.class));
        assertThat(outcomes.get(2).commands()).singleElement().satisfies(c -> assertThat(c.data()).isInstanceOf(HaltGuest.class));
        assertThat(outcomes.get(3).state().placement().phase()).isEqualTo(PlacementPhase.DOWN);
        assertThat(outcomes.get(4).commands()).isEmpty();
        assertThat(outcomes.get(5).commands()).isEmpty();
        assertThat(outcomes.get(5).state().placement().phase()).isEqualTo(PlacementPhase.DOWN);
    }

    /**
     * The failover's planned target is lost, then the old host fails to halt: the decider used to send
     * the fence to the planned target, a lost host that will never run it, and wait in FENCING for ever.
     */
    @Test
    void aFenceGoesToASurvivingHostNotToALostTarget() {
        PackageSpec spec = new PackageSpec(Gen.GUEST, List.of("h1", "h2", "h3"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new AppPolicy("app1", 0, null, PackageSpec.Backoff.NONE)));
        List<Outcome> outcomes = run(
                fact("f0", null, null, new PackageApplied(spec)),
                fact("f1", "h1", 1L, new GuestStarted("h1")),
                fact("f2", null, 1L, AppFailed.killed("app1", 100, "KILL")),
                fact("f3", "h2", null, new HostLost("h2")),
                fact("f4", "h1", 1L, new GuestHaltFailed("h1", "stuck")));

        assertThat(outcomes.get(2).state().placement().nextHost()).isEqualTo("h2");
        assertThat(outcomes.get(4).commands()).singleElement()
                .satisfies(c -> assertThat(c.data()).isEqualTo(new FenceHost("h3", "h1", "decision-f4")));
    }

    /**
     * The host is lost while the operator's halt is under way: the decider used to turn the halt into a
     * host-lost failover (fence, then start on the other host), against the operator's halt.
     */
    @Test
    void aHostLostDuringAnOperatorHaltIsFencedButTheGuestStaysDown() {
        List<Outcome> outcomes = run(
                fact("f0", null, null, new PackageApplied(spec(true))),
                fact("f1", "h1", 1L, new GuestStarted("h1")),
                fact("f2", null, null, new OperatorRequest(OperatorRequest.Action.HALT, null, "ops")),
                fact("f3", "h1", null, new HostLost("h1")),
                fact("f4", "h1", null, new HostFenced("h1")));

        assertThat(outcomes.get(3).commands()).singleElement().satisfies(c -> assertThat(c.data()).isInstanceOf(FenceHost.class));
        assertThat(outcomes.get(4).commands()).isEmpty();
        assertThat(outcomes.get(4).state().placement().phase()).isEqualTo(PlacementPhase.DOWN);
    }

    private static List<Outcome> run(CloudEvent<Fact>... facts) {
        Decider decider = new Decider(Run.DEFAULT_LIMIT);
        GuestState state = GuestState.EMPTY;
        List<Outcome> outcomes = new ArrayList<>();
        for (CloudEvent<Fact> fact : facts) {
            Outcome outcome = decider.decide(state, fact, fact.time());
            outcomes.add(outcome);
            state = outcome.state();
        }
        return outcomes;
    }

    private static CloudEvent<Fact> fact(String id, String host, Long epoch, Fact data) {
        int n = Integer.parseInt(id.substring(1));
        return new CloudEvent<>(id, "/test", Gen.T0.plusSeconds(n), Gen.GUEST, null, host, epoch, data);
    }
}
