package io.guestguard.deploy.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator on a small fleet (50 guests with 4 applications each on 5 hosts) against the real
 * packaged engine and watcher: every failure it schedules is decided and its restart answered, no
 * budget is reset, and a lost host's guests start on their standby hosts. Speed is the benchmark's
 * business, not this test's.
 */
class SmallFleetSimTest {

    @Test
    @Timeout(180)
    void everyFailureIsDecidedAndRestartedAndALostHostsGuestsFailOver() throws Exception {
        Path home = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
        SimSettings settings = new SimSettings(home, home.resolve("deploy/fleet-sim/target/small-fleet-sim"), 50, 5, 4,
                Duration.ofSeconds(10), 5, 0.05, 1, 1, 18);
        SimResult result;
        try (FleetSim sim = new FleetSim(settings, new PrintStream(System.out, true))) {
            result = sim.run();
        }
        result.print(System.out);

        assertThat(result.steadyDecision().count()).as("steady-state failures decided").isGreaterThanOrEqualTo(40);
        assertThat(result.stormFailures()).isEqualTo(10);
        assertThat(result.stormApplied().count()).as("storm restarts applied").isEqualTo(10);
        assertThat(result.missedFailures()).as("failures without a restart decision").isZero();
        assertThat(result.unanswered()).as("restarts not applied").isZero();
        assertThat(result.budgetResets()).as("budget resets").isZero();
        assertThat(result.lostGuests()).as("guests on the lost host").isEqualTo(10);
        assertThat(result.hostLossMs()).as("every guest of the lost host started on its standby").isPositive();
        assertThat(result.unreadable() + result.failedSends()).isZero();
    }
}
