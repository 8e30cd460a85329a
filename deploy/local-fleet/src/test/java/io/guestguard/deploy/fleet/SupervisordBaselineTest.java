package io.guestguard.deploy.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash benchmark's baseline is a real supervisord (Debian's {@code supervisor}): it restarts the
 * program the harness kills, the harness reads each new pid's spawn time from supervisord's own log,
 * and stopping the baseline leaves no process behind.
 */
class SupervisordBaselineTest {

    @Test
    void supervisordRestartsWhatTheHarnessKillsAndStopsWithItsProgram(@TempDir Path dir) throws Exception {
        Path executable = SupervisordBaseline.executable().orElseThrow(
                () -> new AssertionError("supervisord is missing: apt-get install -y supervisor (README, prerequisites)"));
        SupervisordBaseline baseline = SupervisordBaseline.start(executable, dir, "sleep 86400");
        List<ProcessHandle> started;
        RestartBenchmark.Result result;
        try (baseline) {
            result = baseline.run(1, 2);
            started = baseline.processes();
        }

        assertThat(result.micros()).hasSize(2).allSatisfy(micros -> assertThat(micros).isPositive());
        assertThat(started).as("supervisord and its program").hasSizeGreaterThanOrEqualTo(2);
        assertThat(started).noneMatch(ProcessHandle::isAlive);
    }
}
