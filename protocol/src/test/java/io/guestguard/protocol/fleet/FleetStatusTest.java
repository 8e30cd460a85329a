package io.guestguard.protocol.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code guestguard status} makes of the topics' content, and the verdict it exits with. */
class FleetStatusTest {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private final Map<String, PackageSpec> packages = new TreeMap<>();
    private final Map<String, GuestPlacement> placements = new TreeMap<>();
    private final Map<String, CloudEvent<Decision>> decisions = new TreeMap<>();
    private final Map<String, FleetSnapshot.HostSeen> hosts = new TreeMap<>();

    @Test
    void aFleetWhereEveryGuestRunsOnItsFirstHostIsWell() {
        guest("g1", "h1", 1, PlacementPhase.RUNNING, Map.of("app1", 1));
        beat("h1", 200, "g1");
        beat("h2", 300);
        decide("g1", Decision.Action.RESTART_APP, "APP_FAILED_WITHIN_LIMIT", "app1 failed (SIGKILL); restart 1 of 2 allowed");

        FleetStatus status = status();

        assertThat(status.verdict()).isEqualTo(FleetStatus.Verdict.OK);
        assertThat(status.problems()).isEmpty();
        assertThat(status.hosts()).extracting(FleetStatus.HostStatus::state).containsExactly(FleetStatus.HostState.UP, FleetStatus.HostState.UP);
        FleetStatus.GuestStatus g1 = status.guests().get(0);
        assertThat(g1.host()).isEqualTo("h1");
        assertThat(g1.apps()).containsExactly(new FleetStatus.AppStatus("app1", 1, 2, false), new FleetStatus.AppStatus("app2", 0, null, false));
        assertThat(g1.lastDecision().reason()).isEqualTo("app1 failed (SIGKILL); restart 1 of 2 allowed");
        assertThat(status.summary().newestBeatAgeMs()).isEqualTo(200L);
    }

    @Test
    void anApplicationAtItsLimitASilentHostAndAGuestAwayFromItsFirstHostAreDegraded() {
        guest("g1", "h2", 2, PlacementPhase.RUNNING, Map.of("app1", 2));
        beat("h1", 5_000);
        beat("h2", 100, "g1");

        FleetStatus status = status();

        assertThat(status.verdict()).isEqualTo(FleetStatus.Verdict.DEGRADED);
        assertThat(status.problems()).containsExactly("g1/app1 used 2 of its 2 restarts", "g1 runs on h2, not on its package's first host h1");
        assertThat(status.hosts().get(0).state()).as("silent, but nothing runs there: no problem of its own").isEqualTo(FleetStatus.HostState.SILENT);
    }

    @Test
    void aGuestThatRunsNowhereFailsTheFleetUnlessAnOperatorHaltedIt() {
        guest("g1", "h1", 3, PlacementPhase.WAITING, Map.of());
        guest("g2", "h1", 1, PlacementPhase.DOWN, Map.of());
        decide("g2", Decision.Action.HALT_GUEST, "OPERATOR_HALT", "operator ops halts g2 on h1");
        hosts.put("h1", new FleetSnapshot.HostSeen(NOW.minusSeconds(60), List.of(), true));

        FleetStatus status = status();

        assertThat(status.verdict()).isEqualTo(FleetStatus.Verdict.FAILED);
        assertThat(status.problems()).containsExactly(
                "host h1's supervisor stopped (it left 60 s ago): detached, not watched", "g1 runs nowhere (WAITING)");
    }

    private FleetStatus status() {
        return FleetStatus.of(new FleetSnapshot(packages, placements, decisions, hosts, 0, NOW));
    }

    private void guest(String guest, String host, long epoch, PlacementPhase phase, Map<String, Integer> failures) {
        packages.put(guest, new PackageSpec(guest, List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(new PackageSpec.AppPolicy("app1", 2, null, PackageSpec.Backoff.NONE),
                new PackageSpec.AppPolicy("app2", null, null, PackageSpec.Backoff.NONE))));
        placements.put(guest, new GuestPlacement(host, epoch, phase, failures));
    }

    private void beat(String host, long ageMs, String... guests) {
        hosts.put(host, new FleetSnapshot.HostSeen(NOW.minusMillis(ageMs), List.of(guests), false));
    }

    private void decide(String guest, Decision.Action action, String code, String text) {
        decisions.put(guest, CloudEvent.ofGuest("d-" + guest, "/policy-engine", NOW.minusSeconds(5), guest,
                new Decision(action, null, null, null, null, "h1", null, 1L, new Decision.Reason(code, text), List.of("f1"),
                        List.of(), null)));
    }
}
