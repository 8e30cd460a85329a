package io.guestguard.reporter.app;

import io.guestguard.protocol.AppFailed;
import io.guestguard.reporter.config.AppSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.guestguard.reporter.app.Apps.FAST;
import static io.guestguard.reporter.app.Apps.alive;
import static io.guestguard.reporter.app.Apps.exec;
import static io.guestguard.reporter.app.Apps.ocf;
import static io.guestguard.reporter.app.Apps.read;
import static io.guestguard.reporter.app.Apps.script;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reporter that dies leaves its applications running in their own sessions; the next reporter over
 * the same state folder adopts them instead of starting a second copy. {@link ApplicationSupervisor#detach()}
 * stands in for the first reporter's death.
 */
class AdoptionTest {

    @TempDir
    Path state;

    private final Recorder first = new Recorder();
    private final Recorder second = new Recorder();
    private ApplicationSupervisor supervisor;

    @AfterEach
    void stopAll() {
        if (supervisor != null) {
            supervisor.close();
        }
        assertThat(first.invalid).as("facts the wire contract rejects").isEmpty();
        assertThat(second.invalid).as("facts the wire contract rejects").isEmpty();
    }

    @Test
    void anExecApplicationStillRunningIsAdoptedAndWatched() {
        List<AppSpec> apps = List.of(exec("app1", "sleep 86400"));
        ApplicationSupervisor earlier = new ApplicationSupervisor(apps, first, state);
        earlier.startAll();
        long pid = first.awaitStarted("app1");
        earlier.detach();

        supervisor = new ApplicationSupervisor(apps, second, state);
        supervisor.startAll().join();

        assertThat(second.awaitStarted("app1")).as("the same process, not a new one").isEqualTo(pid);
        assertThat(alive(pid)).isTrue();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        AppFailed failure = second.awaitFailure("app1");
        assertThat(failure.pid()).isEqualTo(pid);
        assertThat(first.events).containsExactly("started app1 " + pid);
    }

    @Test
    void aRecordWhosePidNowNamesAnotherProcessIsNotAdopted() throws Exception {
        List<AppSpec> apps = List.of(exec("app1", "sleep 86400"));
        Files.createDirectories(state.resolve("apps"));
        long other = ProcessHandle.current().pid();
        Files.writeString(state.resolve("apps/app1.pid"), other + " 1 " + Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip());

        supervisor = new ApplicationSupervisor(apps, second, state);
        supervisor.startAll().join();

        assertThat(second.awaitStarted("app1")).isNotEqualTo(other);
    }

    @Test
    void aHealthyScriptApplicationIsAdoptedWithoutRunningItsStartAgain() {
        Path up = state.resolve("up");
        Path log = state.resolve("actions.log");
        List<AppSpec> apps = List.of(script("db", "touch " + up + "; echo start >> " + log, "rm -f " + up, "test -f " + up, FAST));
        ApplicationSupervisor earlier = new ApplicationSupervisor(apps, first, state);
        earlier.startAll();
        first.awaitStarted("db");
        earlier.detach();

        supervisor = new ApplicationSupervisor(apps, second, state);
        supervisor.startAll().join();

        second.awaitStarted("db");
        assertThat(read(log)).as("started once, by the first reporter").isEqualTo("start\n");
    }

    @Test
    void anOcfResourceThatIsNotRunningIsStartedRatherThanAdopted() {
        List<AppSpec> apps = List.of(ocf("dummy", "Dummy", Map.of()));
        ApplicationSupervisor earlier = new ApplicationSupervisor(apps, first, state);
        earlier.startAll();
        first.awaitStarted("dummy");
        earlier.close();
        assertThat(state.resolve("ocf/rsctmp/Dummy-dummy.state")).doesNotExist();

        supervisor = new ApplicationSupervisor(apps, second, state);
        supervisor.startAll().join();

        second.awaitStarted("dummy");
        assertThat(state.resolve("ocf/rsctmp/Dummy-dummy.state")).as("the start ran").exists();
    }
}
