package io.guestguard.deploy.fleet;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostLost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16, point 3, on the packaged services: a rolling upgrade of every service of a fleet with two
 * engines and two watchers (each engine and watcher instance, each host supervisor, each guest reporter,
 * one at a time) while one real failure (SIGKILL of an application) is injected in every step. Nothing
 * is restarted because of the upgrade: every application not killed keeps its pid, nothing is fenced,
 * lost or moved; every failure is decided exactly once and its application runs again; replay
 * reproduces every decision.
 */
class RollingUpgradeTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
    private static final Duration STEP = Duration.ofSeconds(90);

    @Test
    void everyServiceIsRestartedOneAtATimeAndNoApplicationNoticesWhileRealFailuresAreDecidedOnce(@TempDir Path runDir)
            throws Exception {
        try (BenchFleet bench = BenchFleet.twoHosts(HOME, runDir.resolve("run"), "2",
                LocalFleet.Options.DEFAULT.withInstances(2))) {
            LocalFleet fleet = bench.fleet();
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            RollingUpgrade roll = new RollingUpgrade(fleet, observed, System.out, true, STEP);
            Map<String, Long> initial = roll.awaitApplications();
            int mark = observed.mark();

            List<RollingUpgrade.Step> steps = roll.play();

            assertThat(steps).extracting(RollingUpgrade.Step::process).containsExactly("policy-engine", "policy-engine-2",
                    "migration-watcher", "migration-watcher-2", "host-supervisor primary", "host-supervisor standby",
                    "guest-reporter g1", "guest-reporter g2", "guest-reporter g3");
            assertThat(steps).allSatisfy(step -> {
                assertThat(step.newPid()).as(step.describe()).isPositive().isNotEqualTo(step.oldPid());
                assertThat(step.appsUnchanged()).as(step.describe()).isTrue();
                assertThat(step.injected()).as(step.describe()).isPresent();
            });

            List<RollingUpgrade.Injected> failures = steps.stream().map(s -> s.injected().orElseThrow()).toList();
            Set<Long> killed = failures.stream().map(RollingUpgrade.Injected::pid).collect(Collectors.toSet());
            // Every application the test did not kill runs on as the same process.
            Map<String, Long> last = new HashMap<>(initial);
            failures.forEach(f -> last.put(f.guest() + "/" + f.app(), f.newPid()));
            last.forEach((app, pid) -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                    .as(app + " runs as pid " + pid).contains(true));
            initial.forEach((app, pid) -> {
                if (!killed.contains(pid)) {
                    assertThat(last.get(app)).as(app + " kept its pid").isEqualTo(pid);
                }
            });
            // Every start seen during the roll is an adoption (the same pid) or the restart of a killed one.
            Set<Long> restartedPids = failures.stream().map(RollingUpgrade.Injected::newPid).collect(Collectors.toSet());
            Set<Long> knownPids = new java.util.HashSet<>(initial.values());
            knownPids.addAll(restartedPids);
            assertThat(observed.between(mark, observed.mark(), e -> e.data() instanceof AppStarted))
                    .extracting(s -> ((AppStarted) s.event().data()).pid()).allMatch(knownPids::contains);
            assertThat(observed.between(mark, observed.mark(), e -> e.data() instanceof AppFailed))
                    .as("the only failures are the injected ones")
                    .extracting(s -> ((AppFailed) s.event().data()).pid()).containsExactlyInAnyOrderElementsOf(killed);
            // Each injected failure decided exactly once: one restart.
            for (RollingUpgrade.Injected failure : failures) {
                assertThat(observed.all(e -> e.data() instanceof Decision d && d.causeIds().contains(failure.failureId())))
                        .as("decisions on " + failure.describe())
                        .singleElement().satisfies(s -> assertThat(((Decision) s.event().data()).action())
                                .isEqualTo(Decision.Action.RESTART_APP));
            }
            assertThat(observed.between(mark, observed.mark(), e -> e.data() instanceof HostLost || e.data() instanceof GuestHalted
                    || e.data() instanceof GuestStarted || e.data() instanceof Decision d && Set.of(Decision.Action.FENCE_HOST,
                    Decision.Action.FAILOVER, Decision.Action.START_GUEST, Decision.Action.HALT_GUEST).contains(d.action())))
                    .as("no host lost or fenced, no guest halted, moved or started").isEmpty();

            ReplayVerify.assertEveryDecisionReproduced(fleet.bootstrapServers());
        }
    }
}
