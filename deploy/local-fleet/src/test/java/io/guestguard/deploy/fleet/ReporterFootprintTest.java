package io.guestguard.deploy.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The footprint benchmark measures real reporters: its figures come from the processes it started. */
class ReporterFootprintTest {

    @Test
    void measuresStartTimeAndResidentMemoryOfThePackagedReporterWithBothSetsOfFlags(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ReporterFootprint footprint = new ReporterFootprint(Path.of(System.getProperty("guestguard.home", "../..")), dir,
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        List<ReporterFootprint.Run> runs = footprint.measure(1, Duration.ofSeconds(1));

        assertThat(runs).extracting(ReporterFootprint.Run::flags).containsExactly("tiered", "lean");
        assertThat(runs).allSatisfy(run -> {
            assertThat(run.readyMs()).isPositive();
            assertThat(run.allAppsMs()).isGreaterThanOrEqualTo(run.readyMs());
            assertThat(run.rssKiB()).as("a JVM's resident memory").isBetween(16L * 1024, 2048L * 1024);
            assertThat(run.peakKiB()).isGreaterThanOrEqualTo(run.rssKiB());
            assertThat(run.threads()).isPositive();
        });
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("lean   ready");
        assertThat(ReporterFootprint.summary(runs)).startsWith("result: tiered: ready p50 ").contains("lean: ready p50 ");
    }
}
