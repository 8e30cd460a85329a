package io.guestguard.deploy.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On the real two-host fleet, a host supervisor killed with SIGKILL costs its guests their host:
 * the engine decides to fence it, the standby's supervisor fences it (the hook kills its guests),
 * the guests start on the standby and their applications come back, in that order; nothing of the
 * guests runs on the lost host any more. Sanity only, not timing targets.
 */
class FleetHostLossBenchmarkTest {

    @Test
    void aKilledSupervisorsGuestsAreFencedAndStartedOnTheOtherHost(@TempDir Path runDir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (BenchFleet bench = BenchFleet.twoHosts(Path.of(System.getProperty("guestguard.home", "../..")), runDir, "2")) {
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            long killedPid = bench.fleet().supervisor("primary").pid();

            List<FleetHostLossBenchmark.Run> runs = List.of(new FleetHostLossBenchmark(bench.fleet(), observed, "g1")
                    .run(1, new PrintStream(printed, true, StandardCharsets.UTF_8)));

            assertThat(runs).singleElement().satisfies(run -> {
                assertThat(run.lost()).isEqualTo("primary");
                assertThat(run.survivor()).isEqualTo("standby");
                assertThat(run.fenceDecidedMs()).as("the engine waits for the host timeout (1 s)").isGreaterThanOrEqualTo(500);
                assertThat(run.fencedMs()).isGreaterThanOrEqualTo(run.fenceDecidedMs());
                assertThat(run.startedMs()).isGreaterThanOrEqualTo(run.fencedMs());
                assertThat(run.appUpMs()).isGreaterThan(run.startedMs());
            });
            assertThat(ProcessHandle.of(killedPid).map(ProcessHandle::isAlive).orElse(false)).as("the killed supervisor").isFalse();
            assertThat(bench.fleet().supervisor("standby").isAlive()).as("standby's supervisor").isTrue();
            assertThat(bench.fleet().registry().resolve("primary")).isEmptyDirectory();
            assertThat(bench.fleet().registry().resolve("standby")).isDirectoryContaining(p -> p.getFileName().toString().equals("g1"));
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("run 1: primary's supervisor killed -> fence decided");
            assertThat(FleetHostLossBenchmark.summary(runs)).startsWith("result: supervisor SIGKILL -> (a) fence decided p50 ");
        }
    }
}
