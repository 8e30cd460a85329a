package io.guestguard.deploy.fleet;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A local fleet for a measurement: the fleet, and a timeline that prints nothing but hands every
 * fact and decision to the measurement's listeners. Register the listeners, then {@link #ready()}.
 * A measurement stopped with Ctrl-C or SIGTERM still stops its fleet, guests included.
 */
final class BenchFleet implements AutoCloseable {

    private final LocalFleet fleet;
    private final Timeline timeline;
    private final Thread onExit = new Thread(this::stop, "bench-fleet-shutdown");
    private boolean stopped;

    private BenchFleet(LocalFleet fleet) {
        this.fleet = fleet;
        this.timeline = new Timeline(fleet.bootstrapServers(), fleet.topics(), new PrintStream(PrintStream.nullOutputStream()));
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /** The single-reporter layout: the engine and g1's reporter, no hosts. */
    static BenchFleet singleReporter(Path home, Path runDir, String restartLimit) {
        return singleReporter(home, runDir, restartLimit, false);
    }

    /** The single-reporter layout, with the migration watcher if {@code watcher} (the reader of guest beats). */
    static BenchFleet singleReporter(Path home, Path runDir, String restartLimit, boolean watcher) {
        return new BenchFleet(LocalFleet.startSingleReporter(home.toAbsolutePath().normalize(),
                runDir.toAbsolutePath().normalize(), restartLimit, watcher));
    }

    /** The two-host fleet of README command 1, with app1's {@code service_restart} as given. */
    static BenchFleet twoHosts(Path home, Path runDir, String app1Restarts) {
        return twoHosts(home, runDir, app1Restarts, LocalFleet.Options.DEFAULT);
    }

    /** The two-host fleet with {@code options} (the watcher off, a host's settings changed). */
    static BenchFleet twoHosts(Path home, Path runDir, String app1Restarts, LocalFleet.Options options) {
        return new BenchFleet(LocalFleet.start(home.toAbsolutePath().normalize(), runDir.toAbsolutePath().normalize(),
                app1Restarts, options));
    }

    LocalFleet fleet() {
        return fleet;
    }

    Timeline timeline() {
        return timeline;
    }

    /** Starts the timeline and waits until the policy engine owns its partitions. */
    void ready() throws InterruptedException {
        timeline.start();
        fleet.awaitEngineReady(Duration.ofSeconds(120));
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or ran: it stops the fleet
        }
        stop();
    }

    private synchronized void stop() {
        if (!stopped) {
            stopped = true;
            timeline.close();
            fleet.close();
        }
    }
}
