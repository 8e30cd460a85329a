package io.guestguard.reporter.app;

import io.guestguard.process.ProcessGroups;
import io.guestguard.protocol.AppFailed;

import io.guestguard.reporter.config.AppSpec;
import io.guestguard.reporter.config.ExecApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.guestguard.reporter.app.Apps.alive;
import static io.guestguard.reporter.app.Apps.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Exec applications, as real processes: process groups, crashes noticed without polling, restarts and deliberate stops. */
class ApplicationSupervisorTest extends SupervisorFixture {




    @Test
    void theSupervisedPidIsTheApplicationItselfAndLeadsItsOwnSessionAndGroup() {
        supervisor = supervise(exec("app1", "sleep 86400"));
        supervisor.startAll();
        long pid = events.awaitStarted("app1");

        await("the shell execs the application").atMost(Recorder.DEADLINE)
                .until(() -> ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse(""), c -> c.endsWith("sleep"));
        assertThat(ProcessGroups.groupOf(pid)).as("process group").isEqualTo(pid);
        assertThat(ProcessGroups.sessionOf(pid)).as("session").isEqualTo(pid);
        assertThat(supervisor.pid("app1")).contains(pid);
    }

    @Test
    void aKilledApplicationIsReportedWithItsSignalAndCanBeRestarted() {
        supervisor = supervise(exec("app1", "sleep 86400"));
        supervisor.startAll();
        long pid = events.awaitStarted("app1");

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        events.awaitEvent("failed app1 " + pid + " SIGKILL");
        await().atMost(Recorder.DEADLINE).until(() -> supervisor.pid("app1").isEmpty());
        assertThat(supervisor.start("app1")).isTrue();
        long newPid = events.awaitStarted("app1", 1);
        assertThat(newPid).isNotEqualTo(pid);
        assertThat(supervisor.start("app1")).as("already running").isFalse();
        assertThat(events.events).containsExactly("started app1 " + pid, "failed app1 " + pid + " SIGKILL", "started app1 " + newPid);
    }

    @Test
    void anExitCodeIsReportedAsIs() {
        supervisor = supervise(exec("job", "sh -c 'exit 3'"));
        supervisor.startAll();
        AppFailed failure = events.awaitFailure("job");
        assertThat(failure.exitCode()).isEqualTo(3);
        assertThat(failure.pid()).isEqualTo(events.awaitStarted("job"));
    }

    @Test
    void aStopEndsTheWholeProcessGroupIncludingAnOrphanedGrandchild() {
        // the subshell forks a sleep and exits, so the sleep is re-parented away from the application
        supervisor = supervise(exec("app1", "sh -c '(sleep 1000 &); exec sleep 1001'"));
        supervisor.startAll();
        long pid = events.awaitStarted("app1");
        List<Long> group = await("the grandchild runs").atMost(Recorder.DEADLINE)
                .until(() -> ProcessGroups.members(pid), m -> m.size() == 2);
        long grandchild = group.stream().filter(p -> p != pid).findFirst().orElseThrow();
        assertThat(ProcessHandle.of(pid).orElseThrow().descendants().map(ProcessHandle::pid))
                .as("the JDK cannot find it through the application").doesNotContain(grandchild);

        supervisor.stop("app1").join();

        assertThat(alive(pid)).isFalse();
        assertThat(alive(grandchild)).as("the grandchild went with its group").isFalse();
        assertThat(events.events).containsExactly("started app1 " + pid, "stopped app1 " + pid);
    }

    @Test
    void aStopSendsTermFirstAndKillsWhatIgnoresItAfterTheGrace() {
        Duration grace = Duration.ofMillis(1500);
        supervisor = supervise(new ExecApp("polite", "sleep 86400", grace, List.of()),
                new ExecApp("stubborn", "sh -c 'trap \"\" TERM; while :; do sleep 1; done'", grace, List.of()));
        supervisor.startAll();
        long polite = events.awaitStarted("polite");
        long stubborn = events.awaitStarted("stubborn");

        long begun = System.nanoTime();
        supervisor.stop("polite").join();
        Duration politeStop = Duration.ofNanos(System.nanoTime() - begun);
        begun = System.nanoTime();
        supervisor.stop("stubborn").join();
        Duration stubbornStop = Duration.ofNanos(System.nanoTime() - begun);

        assertThat(politeStop).as("SIGTERM ended it, no grace needed").isLessThan(grace);
        assertThat(stubbornStop).as("SIGKILL only after the grace").isGreaterThanOrEqualTo(grace);
        assertThat(alive(stubborn)).isFalse();
        assertThat(ProcessGroups.members(stubborn)).isEmpty();
        assertThat(events.events).contains("stopped polite " + polite, "stopped stubborn " + stubborn)
                .noneMatch(e -> e.startsWith("failed"));
    }

    @Test
    void whenTheApplicationDiesItsLeftoversAreKilledBeforeItIsStartedAgain() {
        supervisor = supervise(exec("app1", "sh -c '(sleep 1000 &); exec sleep 1001'"));
        supervisor.startAll();
        long pid = events.awaitStarted("app1");
        List<Long> group = await().atMost(Recorder.DEADLINE).until(() -> ProcessGroups.members(pid), m -> m.size() == 2);
        List<Long> leftAtRestart = new java.util.concurrent.CopyOnWriteArrayList<>();
        events.atStart = (app, newPid) -> group.stream().filter(p -> alive(p)).forEach(leftAtRestart::add);

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        events.awaitEvent("failed app1 " + pid + " SIGKILL");
        supervisor.start("app1"); // at once, as a restart command could come

        long newPid = events.awaitStarted("app1", 1);
        assertThat(newPid).isNotEqualTo(pid);
        assertThat(leftAtRestart).as("nothing of the old group was left when the new instance started").isEmpty();
        group.forEach(p -> assertThat(alive(p)).isFalse());
    }

    @Test
    void closeStopsEveryApplicationAndReportsStopsNotFailures() {
        supervisor = supervise(exec("app1", "sleep 86400"), exec("app2", "tail -f /dev/null"));
        supervisor.startAll().join();
        long app1 = events.awaitStarted("app1");
        long app2 = events.awaitStarted("app2");

        supervisor.close();

        assertThat(events.events).containsExactlyInAnyOrder("started app1 " + app1, "started app2 " + app2,
                "stopped app1 " + app1, "stopped app2 " + app2);
        assertThat(alive(app1) || alive(app2)).isFalse();
        assertThat(supervisor.start("app1")).as("closed").isFalse();
    }

    @Test
    void restartStopsARunningApplicationThenStartsIt() {
        supervisor = supervise(exec("app1", "sleep 86400"));
        supervisor.startAll();
        long pid = events.awaitStarted("app1");

        supervisor.restart("app1").join();

        long newPid = events.awaitStarted("app1", 1);
        assertThat(events.events).containsExactly("started app1 " + pid, "stopped app1 " + pid, "started app1 " + newPid);
        assertThat(alive(pid)).isFalse();
    }

    @Test
    void startAllLeavesHeldApplicationsAlone() {
        supervisor = supervise(exec("app1", "sleep 86400"), exec("held", "sleep 86400"));

        supervisor.startAll(Set.of("held")).join();

        long pid = events.awaitStarted("app1");
        assertThat(events.events).containsExactly("started app1 " + pid);
        assertThat(supervisor.isRunning("held")).isFalse();
    }

}
