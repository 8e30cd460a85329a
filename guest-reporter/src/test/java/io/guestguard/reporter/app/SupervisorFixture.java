package io.guestguard.reporter.app;

import io.guestguard.reporter.config.AppSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A supervisor over real processes in a temporary folder, with every fact it reports recorded and
 * checked against the wire contract; whatever a test started is stopped after it.
 */
abstract class SupervisorFixture {

    @TempDir
    Path dir;

    final Recorder events = new Recorder();
    ApplicationSupervisor supervisor;

    @AfterEach
    void stopAll() {
        if (supervisor != null) {
            supervisor.close();
        }
        assertThat(events.invalid).as("facts the wire contract rejects").isEmpty();
    }

    /** The state folder the supervisor keeps pid records, OCF state and application logs in. */
    Path state() {
        return dir.resolve("state");
    }

    ApplicationSupervisor supervise(AppSpec... apps) {
        return new ApplicationSupervisor(List.of(apps), events, state());
    }
}
