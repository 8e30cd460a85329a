package io.guestguard.policy.core.sim;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.OperatorRequest.Action;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PackageSpec.AppPolicy;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RefusalReason;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulated fleet itself: admission against the decider's placements, the reporter, determinism. */
class SimFleetTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final PackageSpec SPEC = new PackageSpec("g1", List.of("h1", "h2"),
            PackageSpec.FailoverPolicy.CONFIGURED_NODE, PackageSpec.FailbackPolicy.MANUAL, true, true,
            List.of(new AppPolicy("app1", 3, 600_000L, PackageSpec.Backoff.NONE),
                    new AppPolicy("app2", 3, 600_000L, PackageSpec.Backoff.NONE)));

    private final List<String> notes = new ArrayList<>();

    private SimFleet fleet(long seed) {
        Decider decider = new Decider(new RestartLimit(2));
        return new SimFleet(T0, seed, false, (state, fact) -> decider.decide(state, fact, fact.time()), notes::add)
                .readAtOnce(true);
    }

    private static List<Fact> facts(SimFleet fleet) {
        return fleet.given().stream().map(CloudEvent::data).toList();
    }

    @Test
    void aStartWhosePlacementIsNoLongerStartingIsRefusedByTheSupervisor() {
        SimFleet fleet = fleet(1);
        fleet.apply(SPEC);
        // The decider placed the guest on h1 (starting) and queued the start; the operator halts it
        // before h1 reads the start: the placement published is no longer one to start.
        fleet.operator("g1", new OperatorRequest(Action.HALT, null, "ops"));
        assertThat(fleet.state("g1").placement().phase()).isNotIn(PlacementPhase.STARTING, PlacementPhase.RUNNING);

        fleet.serve("h1", false);

        assertThat(fleet.runners("g1")).isEmpty();
        assertThat(facts(fleet)).filteredOn(f -> f instanceof CommandRefused).singleElement()
                .satisfies(f -> assertThat(((CommandRefused) f).refusal()).isEqualTo(RefusalReason.NOT_STARTABLE_HERE));
        assertThat(facts(fleet)).noneMatch(f -> f instanceof GuestStarted);
    }

    @Test
    void theReporterStopsAndStartsApplicationsAsAsked() {
        SimFleet fleet = fleet(1);
        fleet.apply(SPEC);
        fleet.serveAll();
        assertThat(fleet.runningApps("g1")).containsOnlyKeys("app1", "app2");
        long pid = fleet.runningApps("g1").get("app2");

        fleet.operator("g1", OperatorRequest.ofApp(Action.STOP_APP, "app2", "ops"));
        fleet.serveAll();
        assertThat(fleet.given().get(fleet.given().size() - 1).data()).isEqualTo(new AppStopped("app2", pid));
        assertThat(fleet.runningApps("g1")).containsOnlyKeys("app1");

        // Stopped on purpose: it stays stopped when the guest starts again elsewhere.
        fleet.operator("g1", new OperatorRequest(Action.MOVE, "h2", "ops"));
        fleet.serveAll();
        assertThat(fleet.runners("g1")).containsOnlyKeys("h2");
        assertThat(fleet.runningApps("g1")).containsOnlyKeys("app1");

        fleet.operator("g1", OperatorRequest.ofApp(Action.START_APP, "app2", "ops"));
        fleet.serveAll();
        CloudEvent<Fact> last = fleet.given().get(fleet.given().size() - 1);
        assertThat(last.data()).isInstanceOfSatisfying(AppStarted.class, s -> assertThat(s.app()).isEqualTo("app2"));
        assertThat(last.epoch()).isEqualTo(fleet.runners("g1").get("h2"));
        assertThat(fleet.runningApps("g1")).containsOnlyKeys("app1", "app2");
    }

    @Test
    void timedRunsAreTheSameForASeed() {
        SimFleet a = fleet(7);
        SimFleet b = fleet(7);
        for (SimFleet f : List.of(a, b)) {
            f.apply(SPEC);
            f.serveAll();
            f.advance(10_000);
            assertThat(f.appFails("g1", "app1", false, true, "KILL")).isTrue();
            f.serveAll();
        }
        assertThat(a.given()).isEqualTo(b.given()).hasSizeGreaterThan(5);
    }
}
