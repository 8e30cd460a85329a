package io.guestguard.deploy.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./fleet bench --pause-ms N}: a negative pause is refused before anything starts. */
class BenchPauseOptionTest {

    @Test
    void aNegativePauseIsRefusedBeforeAFleetStarts(@TempDir Path dir) {
        Path runDir = dir.resolve("run");
        int exit = new CommandLine(new FleetCommand()).execute("--dir", runDir.toString(), "bench", "--pause-ms", "-1");
        assertThat(exit).isEqualTo(2);
        assertThat(runDir).as("no fleet was started").doesNotExist();
    }
}
