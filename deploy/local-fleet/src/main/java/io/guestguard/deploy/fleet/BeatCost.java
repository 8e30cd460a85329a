package io.guestguard.deploy.fleet;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * What a guest beat costs the control plane: the CPU time the policy engine and the migration
 * watcher (each a process of its own) spend on a storm of guest beats ({@link GuestBeatStorm}), per
 * beat, after taking away what each spends idle for as long. Both are timed from the storm's start
 * until each has committed every beat it reads (a service that reads no guest beats is done at
 * once), and two seconds more for what follows a commit.
 */
final class BeatCost {

    private static final Duration IDLE = Duration.ofSeconds(10);
    private static final Duration DRAIN_WAIT = Duration.ofMinutes(10);
    private static final Duration SETTLE = Duration.ofSeconds(2);

    /** One service's cost: its CPU time over {@code elapsed}, less its idle rate over as long. */
    record Cost(String service, long beats, double idleMillisPerSecond, Duration cpu, Duration elapsed, Duration drained) {
        double microsPerBeat() {
            double busyMillis = cpu.toMillis() - idleMillisPerSecond * elapsed.toMillis() / 1000.0;
            return Math.max(0, busyMillis) * 1000.0 / beats;
        }

        String summary() {
            return String.format(Locale.ROOT, "  %-18s %6.1f µs CPU per guest beat (%.2f s CPU in %.1f s, idle %.0f ms/s; "
                    + "every beat it reads read %.1f s after the storm began)", service, microsPerBeat(), cpu.toMillis() / 1000.0,
                    elapsed.toMillis() / 1000.0, idleMillisPerSecond, drained.toMillis() / 1000.0);
        }
    }

    private final LocalFleet fleet;
    private final PrintStream out;

    BeatCost(LocalFleet fleet, PrintStream out) {
        this.fleet = fleet;
        this.out = out;
    }

    /**
     * Writes {@code guests} × {@code beats} guest beats and returns what the engine and the watcher
     * spent on them; if {@code watched}, the guests are first reported running, so that the watcher
     * watches each (as it does a real fleet's guests) and reads every beat.
     */
    List<Cost> measure(int guests, int beats, boolean watched) throws InterruptedException {
        List<Service> services = List.of(new Service("policy-engine", LocalFleet.ENGINE_APPLICATION_ID),
                new Service("migration-watcher", LocalFleet.WATCHER_APPLICATION_ID));
        GuestBeatStorm storm = new GuestBeatStorm(fleet.bootstrapServers(), fleet.topics());
        if (watched) {
            out.printf("reporting the %,d guests started, so that the watcher watches them ...%n", guests);
            storm.startGuests(guests, "storm-host");
            for (Service service : services) {
                service.awaitRead(fleet.topics().guestLog(), System.nanoTime());
            }
        }
        out.printf("idle for %d s ...%n", IDLE.toSeconds());
        services.forEach(Service::mark);
        Thread.sleep(IDLE.toMillis()); // a measurement of idle time: nothing to wait for but the clock
        services.forEach(s -> s.idleMillisPerSecond = s.cpuSinceMark().toMillis() * 1000.0 / IDLE.toMillis());
        services.forEach(Service::mark);
        long started = System.nanoTime();
        GuestBeatStorm.Result written = storm.write(guests, beats);
        out.println(written.summary());
        List<Duration> drained = new ArrayList<>();
        for (Service service : services) {
            drained.add(service.awaitRead(fleet.topics().heartbeats(), started));
        }
        Thread.sleep(SETTLE.toMillis()); // what follows the last commit, measured for a fixed time
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        List<Cost> costs = new ArrayList<>();
        for (int i = 0; i < services.size(); i++) {
            Service service = services.get(i);
            costs.add(new Cost(service.name, written.records(), service.idleMillisPerSecond, service.cpuSinceMark(), elapsed,
                    drained.get(i)));
        }
        return costs;
    }

    /** A service's process and consumer group. */
    private final class Service {
        final String name;
        final String group;
        double idleMillisPerSecond;
        private Duration markCpu = Duration.ZERO;

        Service(String name, String group) {
            this.name = name;
            this.group = group;
        }

        void mark() {
            markCpu = cpu();
        }

        Duration cpuSinceMark() {
            return cpu().minus(markCpu);
        }

        private Duration cpu() {
            long pid = fleet.service(name).pid();
            return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration())
                    .orElseThrow(() -> new IllegalStateException(name + " (pid " + pid + ") is gone"));
        }

        /** Waits until this service has committed every record of {@code topic} it reads; the time from {@code started}. */
        Duration awaitRead(String topic, long started) throws InterruptedException {
            long deadline = started + DRAIN_WAIT.toNanos();
            while (true) {
                OptionalLong lag = GroupLag.ofReader(fleet.bootstrapServers(), group, topic);
                if (lag.isEmpty() || lag.getAsLong() == 0) {
                    return Duration.ofNanos(System.nanoTime() - started);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " still had " + lag.getAsLong() + " records of " + topic
                            + " to read after " + DRAIN_WAIT);
                }
                Thread.sleep(100); // polling the broker for the group's offsets; the deadline bounds it
            }
        }
    }
}
