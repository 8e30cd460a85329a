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
 * On the packaged engine, a host that stops beating is detected and its guest's failover decided:
 * the benchmark's run completes only when the engine has committed the fence decision.
 */
class HostLossBenchmarkTest {

    @Test
    void aHostThatStopsBeatingGetsItsGuestFailedOver(@TempDir Path runDir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (BenchFleet bench = BenchFleet.singleReporter(Path.of(System.getProperty("guestguard.home", "../..")), runDir, "3")) {
            HostLossBenchmark benchmark = new HostLossBenchmark(bench.timeline(), bench.fleet().bootstrapServers(),
                    bench.fleet().topics(), bench.fleet().keys());
            bench.ready();

            List<Long> millis = benchmark.run(1, new PrintStream(printed, true, StandardCharsets.UTF_8));

            assertThat(millis).singleElement().satisfies(ms -> assertThat(ms).as("from the last beat").isPositive());
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("silent -> fence decided in");
            assertThat(HostLossBenchmark.summary(millis)).startsWith("result: host loss -> failover decided: runs 1  p50 ");
        }
    }
}
