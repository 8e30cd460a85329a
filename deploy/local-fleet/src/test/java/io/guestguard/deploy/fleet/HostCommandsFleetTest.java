package io.guestguard.deploy.fleet;

import io.guestguard.cli.GuestGuardCommand;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.MigrationCompleted;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16, points 1 and 5, on the real packaged services and the CLI: {@code guestguard host halt
 * primary} empties the host by live migration, every application keeping its process; {@code host
 * detach standby} leaves its guests running and still restarts their applications, but an application
 * out of restarts is held there instead of failing over; {@code host run} carries the failover out.
 * The replay reproduces every decision.
 */
class HostCommandsFleetTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @Test
    void haltMigratesEveryGuestAwayDetachHoldsAFailoverAndRunCarriesItOut(@TempDir Path runDir) throws Exception {
        try (BenchFleet bench = BenchFleet.twoHosts(HOME, runDir.resolve("run"), "2")) {
            LocalFleet fleet = bench.fleet();
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            Map<String, Long> pids = new TreeMap<>();
            for (String guest : LocalFleet.GUESTS) {
                for (String app : List.of("app1", "app2")) {
                    pids.put(guest + "/" + app, startedPid(observed, 0, guest, app));
                }
            }

            int halt = observed.mark();
            long haltAt = System.nanoTime();
            assertThat(host(fleet, "halt", "primary")).contains("Told 3 guests: g1 (placed there), g2 (placed there), g3 (placed there)");
            long emptied = 0;
            for (String guest : LocalFleet.GUESTS) {
                Observed.Seen done = observed.await(halt, e -> guest.equals(e.guestId()) && e.data() instanceof MigrationCompleted m
                        && m.from().equals("primary") && m.to().equals("standby"), Observed.deadline(DEADLINE), guest + " migrated to standby");
                emptied = Math.max(emptied, Observed.millis(haltAt, done.nanos()));
            }
            System.out.printf("host halt primary: 3 guests live-migrated off it %d ms after the command began%n", emptied);
            assertThat(observed.between(halt, observed.mark(), decision(Decision.Action.MIGRATE, "HOST_HALT_MIGRATE")))
                    .as("one live migration per guest").hasSize(3);
            assertThat(observed.between(halt, observed.mark(), e -> e.data() instanceof AppStarted || e.data() instanceof GuestHalted))
                    .as("nothing halted or started again: the guests moved running").isEmpty();
            pids.forEach((app, pid) -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as(app + " still pid " + pid).isTrue());
            status(fleet, 1, "degraded: every guest away from its first host, primary halted", shown -> shown
                    .containsPattern("g1 +RUNNING +standby +2 +enabled +app1 0/2")
                    .contains("  package: primary *standby, auto_run")
                    .containsPattern("primary +UP +\\S+ s +in maintenance")
                    .containsPattern("engine lag \\d+ \\(group guestguard-policy-engine, [1-9]\\d* members?\\)")
                    .contains("g1 runs on standby, not on its package's first host primary"), "-v", "--guest", "g1");

            int detach = observed.mark();
            assertThat(host(fleet, "detach", "standby")).contains("Told 3 guests");
            observed.await(detach, decision(Decision.Action.NONE, "HOST_DETACHED_BY_OPERATOR").and(e -> "g1".equals(e.guestId())),
                    Observed.deadline(DEADLINE), "g1's detach noted");
            long app1 = pids.get("g1/app1");
            for (int restart = 1; restart <= 2; restart++) {
                int before = observed.mark();
                ProcessHandle.of(app1).ifPresent(ProcessHandle::destroyForcibly);
                app1 = startedPid(observed, before, "g1", "app1");
            }
            int third = observed.mark();
            ProcessHandle.of(app1).ifPresent(ProcessHandle::destroyForcibly);
            observed.await(third, decision(Decision.Action.HOLD, "HOST_DETACHED").and(e -> "g1".equals(e.guestId())),
                    Observed.deadline(DEADLINE), "g1 held on detached standby, app1 out of restarts");
            assertThat(observed.between(detach, observed.mark(), decision(Decision.Action.RESTART_APP, "APP_FAILED_WITHIN_LIMIT")))
                    .as("restarts go on while the host is detached").hasSize(2);
            long killed = app1;
            status(fleet, 1, "degraded: g1's failover held on detached standby", shown -> shown
                    .containsPattern("g1 +FAILOVER_HELD +standby +2 +enabled +app1 3/2 \\(3 in 10m\\) AT LIMIT")
                    .containsPattern("standby +UP +\\S+ s +detached")
                    .contains("! g1 must fail over but is held on standby (guestguard why g1)")
                    .contains("! host standby is detached by an operator")
                    .containsPattern("  app1 +restarts 3 of 2, 3 failure\\(s\\) in its 10m window, AT LIMIT: used up, the guest must fail over;"
                            + " last failure \\d\\d:\\d\\d:\\d\\d SIGKILL \\(pid " + killed + "\\), noticed by exit")
                    .contains("last decision ").contains("HOLD app1: "), "-v");

            int run = observed.mark();
            host(fleet, "run", "primary");
            assertThat(host(fleet, "run", "standby")).contains("Told 3 guests");
            observed.await(run, decision(Decision.Action.FAILOVER, "HELD_FAILOVER"), Observed.deadline(DEADLINE),
                    "g1's held failover carried out");
            observed.await(run, e -> "g1".equals(e.guestId()) && e.data() instanceof GuestStarted s && s.host().equals("primary"),
                    Observed.deadline(DEADLINE), "g1 started on primary");
            startedPid(observed, run, "g1", "app1");
            assertThat(observed.between(halt, observed.mark(), e -> e.data() instanceof HostLost || e.data() instanceof FenceHost))
                    .as("no host lost or fenced").isEmpty();
            for (String guest : List.of("g2", "g3")) {
                assertThat(observed.between(detach, observed.mark(), e -> guest.equals(e.guestId()) && (e.data() instanceof AppFailed
                        || e.data() instanceof AppStarted))).as(guest + " untouched").isEmpty();
            }

            String replay = cli(fleet, "replay", "--verify", "--bootstrap-servers", fleet.bootstrapServers());
            assertThat(replay).containsPattern("\\d+ decisions, 0 differences");
        }
    }

    /**
     * Runs {@code guestguard status ARGS} until it exits {@code verdict} with an output that passes
     * {@code checks} (the engine may not have decided the last fact the test awaited yet), within the deadline.
     */
    private static void status(LocalFleet fleet, int verdict, String why,
                               java.util.function.Consumer<org.assertj.core.api.AbstractStringAssert<?>> checks, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("status", "--bootstrap-servers", fleet.bootstrapServers()));
        command.addAll(List.of(args));
        org.awaitility.Awaitility.await(why).atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            StringWriter out = new StringWriter();
            int exit = new CommandLine(new GuestGuardCommand()).setOut(new PrintWriter(out, true)).execute(command.toArray(String[]::new));
            assertThat(exit).as(why + "\n" + out).isEqualTo(verdict);
            checks.accept(assertThat(out.toString()).as(why));
        });
    }

    /** The pid of {@code guest}'s {@code app} the first time it is reported started after {@code from}. */
    private static long startedPid(Observed observed, int from, String guest, String app) throws InterruptedException {
        return ((AppStarted) observed.await(from, e -> guest.equals(e.guestId()) && e.data() instanceof AppStarted s
                && s.app().equals(app) && s.pid() != null, Observed.deadline(DEADLINE), guest + "/" + app + " started").event().data()).pid();
    }

    private static Predicate<CloudEvent<?>> decision(Decision.Action action, String reason) {
        return e -> e.data() instanceof Decision d && d.action() == action && d.reason().code().equals(reason);
    }

    /** Runs {@code guestguard host ACTION HOST} as the fleet's operator; its output, once it exited 0. */
    private static String host(LocalFleet fleet, String action, String host) {
        return cli(fleet, "host", action, host, "--bootstrap-servers", fleet.bootstrapServers(), "--key",
                fleet.keys().privateFile(LocalFleet.OPERATOR).toString());
    }

    /** Runs the CLI; its output, once it exited 0. */
    private static String cli(LocalFleet fleet, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new GuestGuardCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        assertThat(exit).as(String.join(" ", args) + ": " + out + err).isZero();
        return out.toString();
    }
}
