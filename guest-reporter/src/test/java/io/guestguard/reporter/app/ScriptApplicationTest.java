package io.guestguard.reporter.app;

import io.guestguard.process.ProcessGroups;
import io.guestguard.protocol.AppFailed;

import io.guestguard.reporter.config.ActionTimeouts;
import io.guestguard.reporter.config.AppSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.guestguard.reporter.app.Apps.FAST;
import static io.guestguard.reporter.app.Apps.read;
import static io.guestguard.reporter.app.Apps.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Script applications: real start, stop and monitor command lines, each run to completion. */
class ScriptApplicationTest extends SupervisorFixture {




    @Test
    void aFailedMonitorIsReportedThenTheStopCleansUpAndARestartWorks() throws Exception {
        Path up = dir.resolve("up");
        Path log = dir.resolve("actions.log");
        supervisor = supervise(script("db", "touch " + up + "; echo start >> " + log,
                "rm -f " + up + "; echo stop >> " + log, "test -f " + up, FAST));
        AtomicReference<String> actionsAtReport = new AtomicReference<>();
        events.atFailure = failure -> actionsAtReport.set(read(log));
        supervisor.start("db");
        assertThat(events.awaitStarted("db")).as("no pid without a pid-file probe").isNull();
        await("monitors pass while the file is there").during(Duration.ofMillis(500)).atMost(Recorder.DEADLINE)
                .until(() -> supervisor.isRunning("db"));

        Files.delete(up);

        AppFailed failure = events.awaitFailure("db");
        assertThat(failure.check()).isEqualTo("monitor");
        assertThat(failure.detail()).isEqualTo("exit 1");
        assertThat(actionsAtReport.get()).as("reported before the clean-up").isEqualTo("start\n");
        await("the stop cleans up").atMost(Recorder.DEADLINE).until(() -> read(log).equals("start\nstop\n"));

        assertThat(supervisor.start("db")).isTrue();
        events.awaitStarted("db", 1);
        assertThat(up).exists();
        assertThat(events.events).containsExactly("started db null", "failed db null monitor: exit 1", "started db null");
    }

    @Test
    void aStartThatFailsIsReportedAndFollowedByAStop() {
        Path log = dir.resolve("actions.log");
        supervisor = supervise(script("db", "echo start >> " + log + "; exit 3", "echo stop >> " + log, "true", FAST));
        supervisor.start("db");

        AppFailed failure = events.awaitFailure("db");

        assertThat(failure.check()).isEqualTo("start");
        assertThat(failure.detail()).isEqualTo("exit 3");
        await().atMost(Recorder.DEADLINE).until(() -> read(log).equals("start\nstop\n"));
        assertThat(events.events).containsExactly("failed db null start: exit 3");
        assertThat(supervisor.isRunning("db")).isFalse();
    }

    @Test
    void aMonitorThatOverrunsItsTimeoutFailsAndItsWholeGroupIsKilled() {
        Path monitorPid = dir.resolve("monitor.pid");
        Path up = dir.resolve("up");
        // the first monitor passes; the next one hangs, with a child
        ActionTimeouts timeouts = new ActionTimeouts(Duration.ofMillis(100), Duration.ofMillis(300),
                Duration.ofSeconds(20), Duration.ofSeconds(20));
        supervisor = supervise(script("db", "true", "true",
                "if [ -f " + up + " ]; then echo $$ > " + monitorPid + "; sleep 1000; fi; touch " + up, timeouts));
        supervisor.start("db");

        AppFailed failure = events.awaitFailure("db");

        assertThat(failure.check()).isEqualTo("monitor");
        assertThat(failure.detail()).isEqualTo("timed out after 300ms");
        long monitor = Apps.pidIn(monitorPid);
        assertThat(ProcessGroups.members(monitor)).as("the monitor and its sleep were killed").isEmpty();
    }

    @Test
    void aStopRunsTheStopActionAndIsReportedAsStopped() {
        Path log = dir.resolve("actions.log");
        supervisor = supervise(script("db", "echo start >> " + log, "echo stop >> " + log, "true", FAST));
        supervisor.start("db");
        events.awaitStarted("db");

        supervisor.stop("db").join();

        assertThat(read(log)).isEqualTo("start\nstop\n");
        assertThat(events.events).containsExactly("started db null", "stopped db null");
    }

    @Test
    void aStopActionThatFailsIsReportedAsAFailedStop() {
        supervisor = supervise(script("db", "true", "exit 4", "true", FAST));
        supervisor.start("db");
        events.awaitStarted("db");

        supervisor.stop("db").join();

        assertThat(events.events).containsExactly("started db null",
                "failed db null stop: exit 4; it may still run");
    }

    @Test
    void aRestartWhileTheStartRunsStopsAfterItAndStartsAgain() {
        Path log = dir.resolve("actions.log");
        supervisor = supervise(script("db", "echo begin >> " + log + "; sleep 1; echo start >> " + log,
                "echo stop >> " + log, "true", FAST));
        supervisor.start("db");
        await("the start runs").atMost(Recorder.DEADLINE).until(() -> read(log).equals("begin\n"));

        supervisor.restart("db").join();

        assertThat(read(log)).isEqualTo("begin\nstart\nstop\nbegin\nstart\n");
        assertThat(events.events).containsExactly("started db null", "stopped db null", "started db null");
        assertThat(supervisor.isRunning("db")).isTrue();
    }

}
