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
 * budget is reset, a wave of 10 live migrations (3 in flight) runs each guest on its new host with
 * contact re-verified by the watcher and nobody failed over, and a lost host's guests start on their
 * standby hosts. Speed is the benchmark's business, not this test's.
 */
class SmallFleetSimTest {

    @Test
    @Timeout(180)
    void everyFailureIsDecidedAndRestartedEveryMigrationReverifiedAndALostHostsGuestsFailOver() throws Exception {
        Path home = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
        SimSettings settings = new SimSettings(home, home.resolve("deploy/fleet-sim/target/small-fleet-sim"), 50, 5, 4,
                Duration.ofSeconds(10), 5, 0.05, 1, 10, 3, 1, 18);
        SimResult result;
        try (FleetSim sim = new FleetSim(settings, new PrintStream(System.out, true))) {
            result = sim.run();
        }
        result.print(System.out);

        assertThat(result.steadyDecision().count()).as("steady-state failures decided").isGreaterThanOrEqualTo(40);
        SimResult.Wave wave = result.wave();
        assertThat(wave.stoppedBy()).as("the wave ran to its end").isNull();
        assertThat(wave.requested()).as("migrations requested").isEqualTo(10);
        assertThat(wave.requestToRunning().count()).as("guests running on their new host").isEqualTo(10);
        assertThat(wave.verified()).as("migrations whose rebind was answered, with no contact-lost").isEqualTo(10);
        assertThat(wave.contactVerified().count()).isEqualTo(10);
        assertThat(wave.watcherVerified()).as("the watcher's own count of contact verified after a migration").isEqualTo(10);
        assertThat(wave.decisions("MIGRATE")).as("the engine's migrate decisions").isEqualTo(10);
        assertThat(wave.failedWhileMigrating()).as("an application failed while each guest migrated").isEqualTo(10);
        assertThat(wave.failedJustMigrated()).as("an application failed right after each migration").isEqualTo(10);
        assertThat(wave.failures()).as("the wave's failures, the steady ones too").isGreaterThan(20);
        assertThat(wave.missed()).as("the wave's failures without a restart decision").isZero();
        assertThat(wave.unanswered()).as("the wave's restarts not applied").isZero();
        assertThat(wave.budgetResets()).as("budget resets in the wave").isZero();
        assertThat(wave.contactLost()).as("contact-lost facts in the wave").isZero();
        assertThat(wave.watcherEscalations()).as("contact-lost facts in the wave, by the watcher's own count").isZero();
        assertThat(wave.decisions("FAILOVER")).as("failovers in the wave").isZero();
        assertThat(wave.healthy()).isTrue();

        assertThat(result.stormFailures()).isEqualTo(10);
        assertThat(result.stormApplied().count()).as("storm restarts applied").isEqualTo(10);
        assertThat(result.stormEngine().count()).as("the engine's own count of the storm's decisions, its restarts among them")
                .isGreaterThanOrEqualTo(10);
        assertThat(result.stormCost().machineBusyPercent()).as("the machine's cores busy during the storm, in percent")
                .isBetween(0.0, 100.0);
        assertThat(result.stormCost().usage()).as("each service's CPU during the storm")
                .containsKeys("policy-engine", "migration-watcher", "simulator+broker");
        assertThat(result.missedFailures()).as("failures without a restart decision").isZero();
        assertThat(result.unanswered()).as("restarts not applied").isZero();
        assertThat(result.budgetResets()).as("budget resets").isZero();
        assertThat(result.lostGuests()).as("guests on the lost host").isEqualTo(10);
        assertThat(result.hostLossMs()).as("every guest of the lost host started on its standby").isPositive();
        assertThat(result.unreadable() + result.failedSends()).isZero();
    }
}
