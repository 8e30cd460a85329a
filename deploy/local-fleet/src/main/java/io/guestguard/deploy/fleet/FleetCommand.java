package io.guestguard.deploy.fleet;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * README command 1. {@code run} (the default) starts the local fleet and prints its timeline until
 * Ctrl-C; {@code bench} measures crash-to-new-pid latency on it.
 */
@Command(name = "guestguard-fleet", mixinStandardHelpOptions = true, subcommands = {FleetCommand.Bench.class, FleetCommand.Footprint.class, FleetCommand.HostLoss.class},
        description = "Runs GuestGuard on this machine: an embedded Kafka broker, the policy engine and a guest reporter with two demo applications.")
public final class FleetCommand implements Callable<Integer> {

    @Option(names = "--dir", defaultValue = "fleet-run", description = "Run folder: broker log, engine state, service logs (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--home", defaultValue = "${sys:guestguard.home:-.}", description = "The GuestGuard checkout holding the built services (default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--restart-limit", defaultValue = "3", description = "Restarts allowed per application: none, unlimited or a number (default: ${DEFAULT-VALUE}).")
    String restartLimit;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        // One line per log record (Kafka logs through java.util.logging here), before anything logs.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        System.exit(new CommandLine(new FleetCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        LocalFleet fleet = LocalFleet.start(home.toAbsolutePath().normalize(), dir.toAbsolutePath().normalize(), restartLimit);
        Timeline timeline = new Timeline(fleet.bootstrapServers(), fleet.topics(), out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("stopping the fleet ...");
            timeline.close();
            fleet.close();
            out.println("stopped: no GuestGuard process left, broker port released");
        }, "fleet-shutdown"));
        printHeader(fleet);
        timeline.start();
        Thread.currentThread().join(); // until Ctrl-C runs the shutdown hook
        return 0;
    }

    private void printHeader(LocalFleet fleet) {
        out.println("GuestGuard local fleet");
        out.printf("  broker          %s (log folder %s)%n", fleet.bootstrapServers(), fleet.runDir().resolve("kafka"));
        for (ServiceProcess service : fleet.services()) {
            out.printf("  %-15s pid %d, log %s%n", service.name(), service.pid(), service.log());
        }
        out.printf("  restart limit   %s per application%n", restartLimit);
        out.println("  Kill an application with 'kill -9 PID' (its pid is in the timeline); Ctrl-C stops everything.");
        out.println("timeline:");
    }

    /** Crash-to-new-pid latency of g1/app1 on the local fleet, with unlimited restarts. */
    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Measures SIGKILL-to-new-pid latency on the local fleet and prints p50/p90/p99.")
    static final class Bench implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--kills", defaultValue = "200", description = "Measured kills (default: ${DEFAULT-VALUE}).")
        int kills;

        @Option(names = "--warmup", defaultValue = "20", description = "Kills before measuring, not counted (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Override
        public Integer call() throws InterruptedException {
            PrintStream out = parent.out;
            try (BenchFleet bench = BenchFleet.start(parent.home, parent.dir, "unlimited");
                 RestartBenchmark benchmark = new RestartBenchmark(bench.timeline(), bench.fleet().bootstrapServers(),
                         bench.fleet().topics().guestCommands(), "g1", "app1")) {
                bench.ready();
                out.printf("crash -> new pid benchmark: %d warm-up kills, then %d measured%n", warmup, kills);
                RestartBenchmark.Results result = benchmark.run(warmup, kills, out);
                out.println(result.total().summary());
                out.println(result.stages());
                out.println("machine: " + machine());
            }
            return 0;
        }
    }

    /** The packaged reporter's start time and resident memory (docs/benchmarks.md). */
    @Command(name = "footprint", mixinStandardHelpOptions = true,
            description = "Measures the guest reporter's start time and resident memory, with the fleet's and the systemd unit's JVM flags.")
    static final class Footprint implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--runs", defaultValue = "5", description = "Reporters started per set of JVM flags (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--settle", defaultValue = "10", description = "Seconds each reporter runs before its memory is read (default: ${DEFAULT-VALUE}).")
        int settleSeconds;

        @Override
        public Integer call() throws InterruptedException {
            PrintStream out = parent.out;
            out.printf("guest reporter footprint: %d runs per set of JVM flags, memory read after %d s%n", runs, settleSeconds);
            out.println("  fleet = " + String.join(" ", ReporterFootprint.FLEET) + "; lean = " + String.join(" ", ReporterFootprint.LEAN));
            var footprint = new ReporterFootprint(parent.home.toAbsolutePath().normalize(),
                    parent.dir.toAbsolutePath().normalize(), out);
            out.println(ReporterFootprint.summary(footprint.measure(runs, Duration.ofSeconds(settleSeconds))));
            out.println("machine: " + machine());
            return 0;
        }
    }

    /** Host loss to failover decided, on the local fleet's engine (docs/benchmarks.md). */
    @Command(name = "hostloss", mixinStandardHelpOptions = true,
            description = "Measures the time from a host's last heartbeat to the engine's committed failover decision.")
    static final class HostLoss implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--runs", defaultValue = "20", description = "Hosts lost, one after the other (default: ${DEFAULT-VALUE}).")
        int runs;

        @Override
        public Integer call() throws Exception {
            PrintStream out = parent.out;
            try (BenchFleet bench = BenchFleet.start(parent.home, parent.dir, parent.restartLimit)) {
                HostLossBenchmark benchmark = new HostLossBenchmark(bench.timeline(), bench.fleet().bootstrapServers(),
                        bench.fleet().topics());
                bench.ready();
                out.printf("host loss -> failover decided: %d runs, hosts beating every %d ms%n", runs,
                        HostLossBenchmark.BEAT.toMillis());
                out.println(HostLossBenchmark.summary(benchmark.run(runs, out)));
                out.println("machine: " + machine());
            }
            return 0;
        }
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException e) {
            // keep "unknown CPU"
        }
        return String.format(Locale.ROOT, "%d cores (%s), %d MiB max heap, Java %s, %s %s",
                Runtime.getRuntime().availableProcessors(), cpu, Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.version"));
    }
}
