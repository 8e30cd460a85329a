package io.guestguard.deploy.fleet;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What systemd does for the host supervisor's unit ({@code Restart=always}, {@code RestartSec=1}), for
 * the local fleet: a supervisor that stopped (SIGTERM: a stop or restart on purpose, after which the
 * engine counts its host detached) is started again a second later, and finds its guests running. One
 * killed with SIGKILL is not: in the local fleet that stands for the host's death, which the engine
 * answers with a fence and failovers.
 */
final class SupervisorKeeper implements AutoCloseable {

    static final Duration RESTART_SEC = Duration.ofSeconds(1);
    /** The exit status of a process killed by SIGKILL (128 + 9). */
    private static final int KILLED = 137;

    private final LocalFleet fleet;
    private final List<String> hosts;
    private final PrintStream out;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "supervisor-keeper");
        thread.setDaemon(true);
        return thread;
    });
    /** When each stopped supervisor was first seen stopped, in nanoseconds: touched by the timer's thread only. */
    private final Map<String, Long> stoppedSince = new HashMap<>();

    SupervisorKeeper(LocalFleet fleet, List<String> hosts, PrintStream out) {
        this.fleet = fleet;
        this.hosts = hosts;
        this.out = out;
    }

    SupervisorKeeper start() {
        timer.scheduleWithFixedDelay(this::check, 250, 250, TimeUnit.MILLISECONDS);
        return this;
    }

    private void check() {
        for (String host : hosts) {
            ServiceProcess supervisor = fleet.supervisor(host);
            if (supervisor.isAlive() || supervisor.exitCode().orElse(KILLED) == KILLED) {
                continue;
            }
            long now = System.nanoTime();
            long since = stoppedSince.computeIfAbsent(host, h -> now);
            if (now - since >= RESTART_SEC.toNanos()) {
                stoppedSince.remove(host);
                ServiceProcess again = fleet.startSupervisor(host);
                out.printf("%s stopped (exit status %d): started again %d s later, as systemd's Restart=always would "
                        + "(pid %d)%n", supervisor.name(), supervisor.exitCode().getAsInt(), RESTART_SEC.toSeconds(), again.pid());
            }
        }
    }

    /** Stops keeping: before the fleet stops its supervisors, which must then stay stopped. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
