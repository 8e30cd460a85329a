package io.guestguard.deploy.sim;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code java -jar deploy/fleet-sim/target/fleet-sim.jar} ({@code ./fleet sim}): a simulated fleet of
 * many guests and hosts against the real packaged engine and watcher, its figures printed.
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Runs a simulated fleet (guests and hosts speaking the real protocol from this JVM) against the real "
                + "packaged policy engine and migration watcher on an embedded broker, and prints fact -> decision and "
                + "fact -> applied latencies, each service's CPU and memory, consumer lag, missed failures and budget resets; "
                + "with --migrations, a rolling wave of live migrations and the watcher's contact checks after them; with --storm, "
                + "the engine's own part of the storm's fact -> decision and the CPU spent during it.")
public final class FleetSimCommand implements Callable<Integer> {

    @Option(names = "--guests", defaultValue = "10000", description = "simulated guests (default ${DEFAULT-VALUE})")
    int guests;
    @Option(names = "--hosts", defaultValue = "200", description = "simulated hosts (default ${DEFAULT-VALUE})")
    int hosts;
    @Option(names = "--apps", defaultValue = "4", description = "applications per guest (default ${DEFAULT-VALUE})")
    int apps;
    @Option(names = "--duration", defaultValue = "120", description = "seconds of steady state measured (default ${DEFAULT-VALUE})")
    int duration;
    @Option(names = "--failures-per-second", defaultValue = "10",
            description = "application failures per second across the fleet in the steady state (default ${DEFAULT-VALUE})")
    double failuresPerSecond;
    @Option(names = "--storm", defaultValue = "0",
            description = "after the steady state, this share of all applications fails within one second (0.01: 1%%; default none)")
    double storm;
    @Option(names = "--host-loss", defaultValue = "0", description = "hosts lost at the end (default none)")
    int hostLoss;
    @Option(names = "--migrations", defaultValue = "0",
            description = "after the steady state, a rolling wave of this many live migrations, each of a distinct guest to "
                    + "its package's other host, asked as an operator asks (default none)")
    int migrations;
    @Option(names = "--migrations-in-flight", defaultValue = "10",
            description = "the wave's migrations requested and not yet running on their new host, at most (default ${DEFAULT-VALUE})")
    int migrationsInFlight;
    @Option(names = "--engines", defaultValue = "1", description = "policy engine instances, 1 or 2 (default ${DEFAULT-VALUE})")
    int engines;
    @Option(names = "--seed", defaultValue = "18", description = "the failure schedule's seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--dir", defaultValue = "fleet-sim-run", description = "run folder: broker log, service state and logs (default ${DEFAULT-VALUE})")
    Path dir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FleetSimCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("guestguard.home", ".")).toAbsolutePath().normalize();
        SimSettings settings = new SimSettings(home, dir.toAbsolutePath().normalize(), guests, hosts, apps,
                Duration.ofSeconds(duration), failuresPerSecond, storm, hostLoss, migrations, migrationsInFlight, engines, seed);
        try (FleetSim sim = new FleetSim(settings, System.out)) {
            // Stopped with Ctrl-C or SIGTERM, it still stops the services it started.
            Runtime.getRuntime().addShutdownHook(new Thread(sim::closeQuietly, "fleet-sim-shutdown"));
            SimResult result = sim.run();
            result.print(System.out);
            return result.missedFailures() == 0 && result.unanswered() == 0 && result.budgetResets() == 0
                    && result.wave().healthy() ? 0 : 1;
        }
    }
}
