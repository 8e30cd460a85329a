package io.guestguard.reporter.app;

import io.guestguard.protocol.AppFailed;
import io.guestguard.reporter.config.GuestSpec.AppSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real child processes: starts, crashes noticed without polling, restarts and deliberate stops. */
class ApplicationSupervisorTest {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final ApplicationSupervisor.Listener listener = new ApplicationSupervisor.Listener() {
        @Override
        public void started(String app, long pid) {
            events.add("started " + app + " " + pid);
        }

        @Override
        public void failed(AppFailed failure) {
            events.add("failed " + failure.app() + " " + failure.pid() + " " + failure.cause());
        }

        @Override
        public void stopped(String app, long pid) {
            events.add("stopped " + app + " " + pid);
        }
    };
    private ApplicationSupervisor supervisor;

    @AfterEach
    void stopAll() {
        if (supervisor != null) {
            supervisor.close();
        }
    }

    @Test
    void aKilledApplicationIsReportedWithItsSignalAndCanBeRestarted() {
        supervisor = supervise(new AppSpec("app1", "sleep 86400"));
        supervisor.startAll();
        long pid = supervisor.pid("app1").orElseThrow();
        await("the shell execs the application itself").atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse(""), c -> c.endsWith("sleep"));

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("failed app1 " + pid + " SIGKILL"));
        assertThat(supervisor.pid("app1")).isEmpty();
        assertThat(supervisor.start("app1")).isTrue();
        long newPid = supervisor.pid("app1").orElseThrow();
        assertThat(newPid).isNotEqualTo(pid);
        assertThat(supervisor.start("app1")).as("already running").isFalse();
        assertThat(events).containsExactly("started app1 " + pid, "failed app1 " + pid + " SIGKILL", "started app1 " + newPid);
    }

    @Test
    void anExitCodeIsReportedAsIs() {
        supervisor = supervise(new AppSpec("job", "sh -c 'exit 3'"));
        supervisor.startAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.startsWith("failed job") && e.endsWith("exit 3")));
    }

    @Test
    void aStopIsNotAFailure() {
        supervisor = supervise(new AppSpec("app1", "sleep 86400"), new AppSpec("stubborn", "sh -c 'trap \"\" TERM; while :; do sleep 1; done'"));
        supervisor.startAll();
        long pid = supervisor.pid("app1").orElseThrow();
        long stubborn = supervisor.pid("stubborn").orElseThrow();

        supervisor.close();

        assertThat(events).contains("stopped app1 " + pid, "stopped stubborn " + stubborn);
        assertThat(events).noneMatch(e -> e.startsWith("failed"));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(ProcessHandle.of(stubborn).map(ProcessHandle::isAlive)).as("SIGKILL after the grace period")
                .isNotEqualTo(java.util.Optional.of(true));
    }

    private ApplicationSupervisor supervise(AppSpec... apps) {
        return new ApplicationSupervisor(List.of(apps), listener, Duration.ofMillis(500));
    }
}
