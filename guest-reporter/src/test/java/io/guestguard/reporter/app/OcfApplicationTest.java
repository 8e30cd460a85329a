package io.guestguard.reporter.app;

import io.guestguard.protocol.AppFailed;
import io.guestguard.reporter.config.AppSpec;
import io.guestguard.reporter.config.ProbeSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.guestguard.reporter.app.Apps.alive;
import static io.guestguard.reporter.app.Apps.ocf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real, unmodified OCF resource agents from Debian's resource-agents package, run without root-owned folders. */
class OcfApplicationTest extends SupervisorFixture {




    @Test
    void dummyStartsStaysHealthyFailsWithNotRunningWhenItsStateGoesAndRestarts() throws Exception {
        // Dummy keeps its state file in HA_RSCTMP by default, which points into the state folder
        Path stateFile = state().resolve("ocf/rsctmp/Dummy-dummy.state");
        supervisor = supervise(ocf("dummy", "Dummy", Map.of()));
        supervisor.startAll();
        assertThat(events.awaitStarted("dummy")).isNull();
        assertThat(stateFile).exists();
        await("monitors pass").during(Duration.ofMillis(500)).atMost(Recorder.DEADLINE)
                .until(() -> supervisor.isRunning("dummy"));

        Files.delete(stateFile);

        AppFailed failure = events.awaitFailure("dummy");
        assertThat(failure.check()).isEqualTo("monitor");
        assertThat(failure.detail()).isEqualTo("OCF_NOT_RUNNING (7)");
        supervisor.restart("dummy").join();
        events.awaitStarted("dummy", 1);
        assertThat(stateFile).exists();
        assertThat(events.events).containsExactly("started dummy null", "failed dummy null monitor: OCF_NOT_RUNNING (7)",
                "started dummy null");

        supervisor.stop("dummy").join();
        assertThat(stateFile).doesNotExist();
        assertThat(events.events).endsWith("stopped dummy null");
    }

    @Test
    void anythingRunsADaemonWhosePidComesFromThePidFileAndWhoseDeathTheMonitorNotices() {
        Path pidfile = state().resolve("anything.pid");
        // the probe only names the pid: its first check is an hour away
        ProbeSpec pidProbe = new ProbeSpec(new ProbeSpec.Pidfile(pidfile), Duration.ofSeconds(1), Duration.ofSeconds(1), 1,
                Duration.ofHours(1));
        supervisor = supervise(ocf("sleeper", "anything",
                Map.of("binfile", "/bin/sleep", "cmdline_options", "1000", "pidfile", pidfile.toString()), pidProbe));
        supervisor.startAll();
        Long pid = events.awaitStarted("sleeper");
        assertThat(pid).isEqualTo(Apps.pidIn(pidfile));
        assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().command())).hasValueSatisfying(c -> assertThat(c).endsWith("sleep"));

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        AppFailed failure = events.awaitFailure("sleeper");
        assertThat(failure.check()).isEqualTo("monitor");
        assertThat(failure.detail()).isEqualTo("OCF_ERR_GENERIC (1)");
        assertThat(failure.pid()).isEqualTo(pid);
        await("the stop after the failure removes the stale pid file").atMost(Recorder.DEADLINE)
                .until(() -> !Files.exists(pidfile));
        assertThat(events.events).containsExactly("started sleeper " + pid, "failed sleeper " + pid + " monitor: OCF_ERR_GENERIC (1)");
    }

    @Test
    void aStopOfAnythingEndsItsDaemon() {
        Path pidfile = state().resolve("anything.pid");
        supervisor = supervise(ocf("sleeper", "anything",
                Map.of("binfile", "/bin/sleep", "cmdline_options", "1000", "pidfile", pidfile.toString())));
        supervisor.startAll();
        events.awaitStarted("sleeper");
        long daemon = Apps.pidIn(pidfile);

        supervisor.stop("sleeper").join();

        assertThat(alive(daemon)).isFalse();
        assertThat(events.events).containsExactly("started sleeper null", "stopped sleeper null");
    }

}
