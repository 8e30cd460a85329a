package io.guestguard.deploy.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two packaged policy engine instances under a storm of application failures; the active one is killed
 * with SIGKILL twice (started again in between): the other takes its partitions over and decides on,
 * and no failure is lost or decided twice, and no restart budget is reset or counted twice. The
 * takeover's speed is a benchmark's ({@code ./fleet takeover}); here the deadline is generous.
 */
class EngineTakeoverTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../.."));

    @Test
    void theStandbyTakesOverAKilledEngineAndNothingIsLostOrDoubled(@TempDir Path dir) throws Exception {
        try (LocalFleet fleet = LocalFleet.startEngines(HOME.toAbsolutePath().normalize(), dir, 2, "unlimited", Map.of());
             TakeoverBenchmark benchmark = new TakeoverBenchmark(fleet)) {
            TakeoverBenchmark.Report report = benchmark.run(2, Duration.ZERO, new PrintStream(PrintStream.nullOutputStream()));

            assertThat(report.kills()).hasSize(2).allSatisfy(kill -> {
                assertThat(kill.partitions()).isNotEmpty();
                assertThat(kill.worstMs()).as("decided again after %s", kill.describe()).isLessThan(Duration.ofSeconds(30).toMillis());
            });
            assertThat(report.failures()).isGreaterThan(100);
            assertThat(report.lost()).isZero();
            assertThat(report.doubled()).isZero();
            assertThat(report.decided()).isEqualTo(report.failures());
            assertThat(report.budgetsBroken()).isEmpty();
        }
    }
}
