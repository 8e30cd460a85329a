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
        assertThat(g1.apps()).extracting(FleetStatus.AppStatus::app, FleetStatus.AppStatus::restarts, FleetStatus.AppStatus::limit,
                FleetStatus.AppStatus::atLimit).containsExactly(org.assertj.core.groups.Tuple.tuple("app1", 1, 2, false),
                org.assertj.core.groups.Tuple.tuple("app2", 0, null, false));
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

    @Test
    void anApplicationsFailuresShowTheWindowTheLastFailureAndABackoffPending() {
        long now = NOW.toEpochMilli();
        placeWithApps("g1", Map.of("app1", 2), Map.of("app1", new GuestPlacement.AppFailures(List.of(now - 700_000, now - 2_000),
                new GuestPlacement.LastFailure(now - 2_000, 4242L, null, "KILL", null, null, now + 3_000))), "h1", null, false, null);
        beat("h1", 100, "g1");
        beat("h2", 100);

        FleetStatus.AppStatus app1 = status().guests().get(0).apps().get(0);

        assertThat(app1.restarts()).isEqualTo(2);
        assertThat(app1.failureWindowMs()).isEqualTo(600_000L);
        assertThat(app1.failuresInWindow()).as("the first failure is older than the 10m window now").isEqualTo(1);
        assertThat(app1.atLimit()).as("2 of 2 counted, but one aged out: the next failure is restarted").isFalse();
        assertThat(app1.lastFailure().cause()).isEqualTo("SIGKILL");
        assertThat(app1.lastFailure().noticedBy()).isEqualTo("exit");
        assertThat(app1.lastFailure().time()).isEqualTo(NOW.minusSeconds(2));
        assertThat(app1.backoffUntil()).isEqualTo(NOW.plusSeconds(3));
        assertThat(status().verdict()).isEqualTo(FleetStatus.Verdict.OK);
    }

    @Test
    void aBackoffThatIsOverIsNotPendingAndAPlacementWithoutDetailsHasNoCountInItsWindow() {
        long now = NOW.toEpochMilli();
        placeWithApps("g1", Map.of("app1", 1), Map.of("app1", new GuestPlacement.AppFailures(List.of(now - 5_000),
                new GuestPlacement.LastFailure(now - 5_000, null, null, null, "monitor", "OCF_NOT_RUNNING (7)", now - 4_000))), "h1", null, false, null);
        guest("g2", "h1", 1, PlacementPhase.RUNNING, Map.of("app1", 2));

        FleetStatus.AppStatus g1app1 = status().guests().get(0).apps().get(0);
        FleetStatus.AppStatus g2app1 = status().guests().get(1).apps().get(0);

        assertThat(g1app1.backoffUntil()).isNull();
        assertThat(g1app1.lastFailure().noticedBy()).isEqualTo("monitor");
        assertThat(g1app1.lastFailure().cause()).isEqualTo("monitor: OCF_NOT_RUNNING (7)");
        assertThat(g2app1.failuresInWindow()).as("an engine of the previous release did not say when").isNull();
        assertThat(g2app1.atLimit()).isTrue();
    }

    @Test
    void switchingDisabledOrAnOperatorsHaltTurnsSwitchingOffAndOnlyTheFormerIsAProblem() {
        placeWithApps("g1", Map.of(), Map.of(), "h1", null, true, null);
        guest("g2", "h1", 1, PlacementPhase.DOWN, Map.of());
        placements.put("g2", withMotive(placements.get("g2"), "OPERATOR_HALT"));
        beat("h1", 100, "g1");
        beat("h2", 100);

        FleetStatus status = status();

        assertThat(status.guests()).extracting(FleetStatus.GuestStatus::switchingEnabled).containsExactly(false, false);
        assertThat(status.guests().get(1).activity()).isEqualTo(GuestActivity.HALTED);
        assertThat(status.verdict()).isEqualTo(FleetStatus.Verdict.DEGRADED);
        assertThat(status.problems()).containsExactly("g1: switching is disabled: it will not fail over (guestguard guest enable-switching --guest g1)");
        assertThat(status.summary().guestActivities()).containsEntry(GuestActivity.RUNNING, 1).containsEntry(GuestActivity.HALTED, 1);
    }

    @Test
    void aMigrationUnderWayAndAFailoverHeldAreShownAndDegradeTheFleet() {
        placeWithApps("g1", Map.of(), Map.of(), "h1", new GuestPlacement.Migration("h1", "h2", NOW.minusSeconds(1).toEpochMilli()), false, null);
        placeWithApps("g2", Map.of("app1", 3), Map.of(), "h1", null, false, "APP_FAILOVER");
        beat("h1", 100, "g1", "g2");
        beat("h2", 100);

        FleetStatus status = status();

        assertThat(status.guests().get(0).activity()).isEqualTo(GuestActivity.MIGRATING);
        assertThat(status.guests().get(0).migration()).isEqualTo(new FleetStatus.Migration("h1", "h2", NOW.minusSeconds(1)));
        assertThat(status.guests().get(1).activity()).isEqualTo(GuestActivity.FAILOVER_HELD);
        assertThat(status.verdict()).isEqualTo(FleetStatus.Verdict.DEGRADED);
        assertThat(status.problems()).contains("g1 is migrating from h1 to h2", "g2 must fail over but is held on h1 (guestguard why g2)");
        assertThat(status.summary().guestActivities()).containsEntry(GuestActivity.MIGRATING, 1).containsEntry(GuestActivity.FAILOVER_HELD, 1);
    }

    @Test
    void aGuestLeavingAfterAFailureIsFailingOverAndOneMovedByAnOperatorIsMoving() {
        guest("g1", "h2", 2, PlacementPhase.STARTING, Map.of());
        placements.put("g1", withMotive(placements.get("g1"), "HOST_LOST"));
        guest("g2", "h1", 1, PlacementPhase.HALTING, Map.of());
        placements.put("g2", withMotive(placements.get("g2"), "OPERATOR_MOVE"));

        assertThat(status().guests()).extracting(FleetStatus.GuestStatus::activity)
                .containsExactly(GuestActivity.FAILING_OVER, GuestActivity.MOVING);
    }

    @Test
    void theHostsTheGuestsKnowLostFencedInMaintenanceOrDetachedAreCountedAndShown() {
        guest("g1", "h2", 2, PlacementPhase.RUNNING, Map.of());
        placements.put("g1", new GuestPlacement("h2", 2, PlacementPhase.RUNNING, Map.of(), null, false, false, null,
                sorted("h1", "h3"), sorted("h3"), sorted("h4"), sorted("h5"), null));
        guest("g2", "h2", 1, PlacementPhase.RUNNING, Map.of());
        placements.put("g2", new GuestPlacement("h2", 1, PlacementPhase.RUNNING, Map.of(), null, false, false, null,
                sorted("h1"), sorted("h1"), sorted("h4"), sorted(), null));
        beat("h2", 100, "g1", "g2");

        FleetStatus status = status();

        assertThat(status.hosts()).extracting(FleetStatus.HostStatus::host, h -> List.copyOf(h.marks())).contains(
                org.assertj.core.groups.Tuple.tuple("h1", List.of(FleetStatus.HostMark.FENCED)),
                org.assertj.core.groups.Tuple.tuple("h3", List.of(FleetStatus.HostMark.FENCED)),
                org.assertj.core.groups.Tuple.tuple("h4", List.of(FleetStatus.HostMark.IN_MAINTENANCE)),
                org.assertj.core.groups.Tuple.tuple("h5", List.of(FleetStatus.HostMark.DETACHED)));
        assertThat(status.summary().hostMarks()).containsEntry(FleetStatus.HostMark.FENCED, 2)
                .containsEntry(FleetStatus.HostMark.IN_MAINTENANCE, 1).containsEntry(FleetStatus.HostMark.DETACHED, 1)
                .doesNotContainKey(FleetStatus.HostMark.LOST);
        assertThat(status.problems()).contains("host h5 is detached by an operator: nothing moves its guests off it or fences it (guestguard host run h5)",
                "host h1 was fenced: it takes no guest until it beats again");
        assertThat(status.guests().get(0).detachedHosts()).containsExactly("h5");
    }

    @Test
    void aHostLostAndNotFencedIsAProblem() {
        guest("g1", "h1", 1, PlacementPhase.FENCING, Map.of());
        placements.put("g1", new GuestPlacement("h1", 1, PlacementPhase.FENCING, Map.of(), "HOST_LOST", false, false, null,
                sorted("h1"), null, null, null, null));

        FleetStatus status = status();

        assertThat(status.hosts().get(0).marks()).containsExactly(FleetStatus.HostMark.LOST);
        assertThat(status.problems()).contains("host h1 is lost and not fenced yet", "g1 is FENCING on h1");
        assertThat(status.guests().get(0).activity()).isEqualTo(GuestActivity.FAILING_OVER);
    }

    @Test
    void anEngineWithFactsWaitingAndNoMemberIsSilentAndFailsTheFleet() {
        guest("g1", "h1", 1, PlacementPhase.RUNNING, Map.of());
        beat("h1", 100, "g1");
        beat("h2", 100);

        FleetStatus silent = FleetStatus.of(snapshot(), new FleetStatus.Engine("guestguard-policy-engine", 3L, 0, null));
        FleetStatus idle = FleetStatus.of(snapshot(), new FleetStatus.Engine("guestguard-policy-engine", 0L, 0, null));
        FleetStatus busy = FleetStatus.of(snapshot(), new FleetStatus.Engine("guestguard-policy-engine", 40L, 2, null));
        FleetStatus unknown = FleetStatus.of(snapshot(), FleetStatus.Engine.unreadable("guestguard-policy-engine", "not authorized"));

        assertThat(silent.verdict()).isEqualTo(FleetStatus.Verdict.FAILED);
        assertThat(silent.problems()).containsExactly(
                "the engine is silent: 3 fact(s) wait on the guest log and its group guestguard-policy-engine has no member");
        assertThat(idle.verdict()).as("nothing waits, but nothing would decide").isEqualTo(FleetStatus.Verdict.DEGRADED);
        assertThat(busy.verdict()).as("a lag with members is the engine at work").isEqualTo(FleetStatus.Verdict.OK);
        assertThat(unknown.verdict()).as("a group that cannot be read is shown, not judged").isEqualTo(FleetStatus.Verdict.OK);
        assertThat(busy.summary().engine().lag()).isEqualTo(40L);
    }

    private static java.util.SortedSet<String> sorted(String... hosts) {
        return new java.util.TreeSet<>(List.of(hosts));
    }

    private FleetSnapshot snapshot() {
        return new FleetSnapshot(packages, placements, decisions, hosts, 0, NOW);
    }

    private void placeWithApps(String guest, Map<String, Integer> failures, Map<String, GuestPlacement.AppFailures> apps, String host,
                               GuestPlacement.Migration migration, boolean switchingDisabled, String motive) {
        guest(guest, host, 1, PlacementPhase.RUNNING, failures);
        placements.put(guest, new GuestPlacement(host, 1, PlacementPhase.RUNNING, failures, motive, switchingDisabled, false, migration,
                null, null, null, null, apps));
    }

    private static GuestPlacement withMotive(GuestPlacement p, String motive) {
        return new GuestPlacement(p.host(), p.epoch(), p.phase(), p.failures(), motive, p.switchingDisabled(), p.packageMaintenance(),
                p.migration(), p.lostHosts(), p.fencedHosts(), p.hostsInMaintenance(), p.detachedHosts(), p.apps());
    }

    private FleetStatus status() {
        return FleetStatus.of(new FleetSnapshot(packages, placements, decisions, hosts, 0, NOW));
    }

    private void guest(String guest, String host, long epoch, PlacementPhase phase, Map<String, Integer> failures) {
        packages.put(guest, new PackageSpec(guest, List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(new PackageSpec.AppPolicy("app1", 2, 600_000L, PackageSpec.Backoff.NONE),
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
