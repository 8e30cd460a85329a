package io.guestguard.deploy.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./fleet bench --pause-ms N}: a negative pause, or one with storms, is refused before anything starts. */
class BenchPauseOptionTest {

    @Test
    void aNegativePauseIsRefusedBeforeAFleetStarts(@TempDir Path dir) {
        assertRefused(dir.resolve("run"), "--pause-ms", "-1");
    }

    @Test
    void aPauseWithStormsIsRefusedBeforeAFleetStarts(@TempDir Path dir) {
        assertRefused(dir.resolve("run"), "--pause-ms", "100", "--storm-beats", "1000");
    }

    private static void assertRefused(Path runDir, String... benchOptions) {
        String[] args = new String[benchOptions.length + 3];
        args[0] = "--dir";
        args[1] = runDir.toString();
        args[2] = "bench";
        System.arraycopy(benchOptions, 0, args, 3, benchOptions.length);
        assertThat(new CommandLine(new FleetCommand()).execute(args)).isEqualTo(2);
        assertThat(runDir).as("no fleet was started").doesNotExist();
    }
}
