package io.guestguard.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The decider's benchmarks (docs/benchmarks.md): {@code core}, {@code engine}, {@code state},
 * {@code restore}. Each prints what it measured, one {@code result:} line with the figures against
 * their targets, and the machine. Figures are reported, never asserted: a missed target is a finding.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        subcommands = {BenchCommand.Core.class, BenchCommand.Engine.class, BenchCommand.State.class, BenchCommand.Restore.class,
                BenchCommand.Spawn.class, BenchCommand.HostLoad.class, BenchCommand.Extras.class,
                BenchCommand.TransactionStart.class},
        description = "Measures GuestGuard's decider: core throughput, engine throughput on a real broker, state size, restore time.")
public final class BenchCommand implements Callable<Integer> {

    /**
     * Kafka and Kafka Streams (through SLF4J) and the engine's processor (through JBoss Logging) log
     * into java.util.logging here: turned down to warnings before anything logs. Held strongly, since
     * JUL forgets unreferenced loggers.
     */
    private static final List<Logger> QUIET_LOGGERS = java.util.stream.Stream.of(
                    "kafka", "org.apache.kafka", "state.change.logger", "io.guestguard.policy.engine")
            .map(Logger::getLogger).toList();
    /**
     * Warnings every run gives by design: the state folders are temporary, global consumers close
     * with fetches in flight, each broker is fresh. Only errors from these.
     */
    private static final List<Logger> EXPECTED_WARNINGS = java.util.stream.Stream.of(
                    "org.apache.kafka.streams.processor.internals.StateDirectory",
                    "org.apache.kafka.clients.consumer.internals.OffsetFetcherUtils",
                    "org.apache.kafka.controller.QuorumController")
            .map(Logger::getLogger).toList();
    /**
     * With transactions v2 a broker answers a write that overtook the first one of its producer in a
     * partition with a retriable out-of-order error (KAFKA-18202), and logs it as an error although
     * the producer retries. The benchmarks check every send and count every output instead.
     */
    private static final Logger REPLICA_MANAGER = Logger.getLogger("kafka.server.ReplicaManager");

    private final PrintStream out;

    BenchCommand(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(execute(System.out, args));
    }

    /** Runs the command line {@code args}, printing to {@code out}; returns the exit code. */
    static int execute(PrintStream out, String... args) {
        // One line per log record, before anything logs.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        QUIET_LOGGERS.forEach(logger -> logger.setLevel(Level.WARNING));
        EXPECTED_WARNINGS.forEach(logger -> logger.setLevel(Level.SEVERE));
        REPLICA_MANAGER.setFilter(r -> !(r.getThrown() instanceof org.apache.kafka.common.errors.OutOfOrderSequenceException));
        // DecideProcessor's JBoss Logging would pick Log4j 2 (on the classpath for the broker) over JUL.
        System.setProperty("org.jboss.logging.provider", "jdk");
        // A failed run says why on the same stream as its figures, so a test's failure shows the cause.
        return new CommandLine(new BenchCommand(out)).setErr(new java.io.PrintWriter(out, true))
                .setExecutionExceptionHandler((e, line, parsed) -> {
                    e.printStackTrace(out);
                    return 1;
                })
                .execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(out);
        return 2;
    }

    private static String target(boolean met) {
        return met ? "met" : "MISSED";
    }

    @Command(name = "core", mixinStandardHelpOptions = true,
            description = "Facts decided per second on one core, in memory: the pure core, with the state JSON round trip, and the engine's whole per-record work.")
    static final class Core implements Callable<Integer> {
        static final double TARGET = 1_000_000;

        @ParentCommand
        BenchCommand parent;

        @Option(names = "--guests", defaultValue = "10000", description = "Guests in the mix (default: ${DEFAULT-VALUE}).")
        int guests;

        @Option(names = "--facts", defaultValue = "200000", description = "Facts in the mix (default: ${DEFAULT-VALUE}).")
        int facts;

        @Option(names = "--warmup", defaultValue = "20", description = "Runs of the pure core before measuring: it takes the JIT a few million facts to settle (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--runs", defaultValue = "11", description = "Measured runs of the pure core; the median is reported (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--json-warmup", defaultValue = "1", description = "Warm-up runs of each way with JSON (default: ${DEFAULT-VALUE}).")
        int jsonWarmup;

        @Option(names = "--json-runs", defaultValue = "3", description = "Measured runs of each way with JSON (default: ${DEFAULT-VALUE}).")
        int jsonRuns;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the mix (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--signed-facts", defaultValue = "5000",
                description = "Facts of the mix also run signed: checked by the gate with provenance, their outputs signed (default: ${DEFAULT-VALUE}).")
        int signedFacts;

        @Override
        public Integer call() {
            PrintStream out = parent.out;
            out.printf(Locale.ROOT, "core: %,d facts for %,d guests, single-threaded; pure core %d warm-up + %d measured runs, "
                    + "JSON ways %d + %d%n", facts, guests, warmup, runs, jsonWarmup, jsonRuns);
            CoreBenchmark.Result r = CoreBenchmark.run(
                    new CoreBenchmark.Options(guests, facts, warmup, runs, jsonWarmup, jsonRuns, seed), out);
            out.printf(Locale.ROOT, "result: core %,.0f facts/s per core (pure); %,.0f with the state JSON round trip; "
                            + "%,.0f with the engine's whole per-record work (target pure >= %,.0f: %s)%n",
                    r.pure().median(), r.withState().median(), r.perRecord().median(), TARGET,
                    target(r.pure().median() >= TARGET));
            if (signedFacts > 0) {
                out.println(SignedRecordCost.run(r.mix(), signedFacts).line());
            }
            out.println("machine: " + Machine.describe());
            return 0;
        }
    }

    /** What the guest reporter pays per exec start, with and without the shell (docs/benchmarks.md, crash → new pid). */
    @Command(name = "spawn", mixinStandardHelpOptions = true,
            description = "Time of ProcessBuilder.start() for an application started as 'setsid CMD' and as 'setsid /bin/sh -c \"exec CMD\"'.")
    static final class Spawn implements Callable<Integer> {

        @ParentCommand
        BenchCommand parent;

        @Option(names = "--starts", defaultValue = "100", description = "Measured starts of each form (default: ${DEFAULT-VALUE}).")
        int starts;

        @Override
        public Integer call() throws Exception {
            PrintStream out = parent.out;
            List<List<String>> forms = List.of(List.of("setsid", "sleep", "600"),
                    List.of("setsid", "/bin/sh", "-c", "exec sleep 600"));
            out.printf("spawn: %d starts of each form after %d warm-up starts%n", starts, starts / 5);
            StringBuilder result = new StringBuilder("result:");
            for (List<String> form : forms) {
                time(form, starts / 5); // warm-up
                List<Double> millis = time(form, starts).stream().sorted().toList();
                double p50 = Stats.median(millis);
                double p99 = millis.get((int) Math.ceil(0.99 * millis.size()) - 1);
                out.printf(Locale.ROOT, "  %-40s p50 %.2f ms  p99 %.2f ms%n", String.join(" ", form), p50, p99);
                result.append(String.format(Locale.ROOT, " %s p50 %.2f ms;", form.get(1).equals("/bin/sh") ? "with shell" : "direct",
                        p50));
            }
            out.println(result);
            out.println("machine: " + Machine.describe());
            return 0;
        }

        /** Milliseconds of each start; every process is killed and reaped before the next start. */
        private static List<Double> time(List<String> command, int count) throws Exception {
            List<Double> millis = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                long begin = System.nanoTime();
                Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                millis.add((System.nanoTime() - begin) / 1e6);
                process.destroyForcibly();
                process.waitFor();
            }
            return millis;
        }
    }

    @Command(name = "engine", mixinStandardHelpOptions = true,
            description = "The engine's topology on a real broker against raw consume-produce passthroughs of the same facts.")
    static final class Engine implements Callable<Integer> {
        static final double TARGET_RATIO = 0.8;
        /** Issue 18: the engine at half of Kafka Streams' own speed with the engine's settings. */
        static final double TARGET_STREAMS_RATIO = 0.5;

        @ParentCommand
        BenchCommand parent;

        @Option(names = "--guests", defaultValue = "10000", description = "Guests in the mix (default: ${DEFAULT-VALUE}).")
        int guests;

        @Option(names = "--facts", defaultValue = "200000", description = "Facts in the mix (default: ${DEFAULT-VALUE}).")
        int facts;

        @Option(names = "--warmup-facts", defaultValue = "50000", description = "Facts of the uncounted warm-up round, 0 for none (default: ${DEFAULT-VALUE}).")
        int warmupFacts;

        @Mixin
        Cluster cluster;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the mix (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--engine-setting", paramLabel = "KEY=VALUE",
                description = "A Kafka Streams setting instead of the engine's, e.g. processing.guarantee=at_least_once (repeatable).")
        Map<String, String> engineSettings = new LinkedHashMap<>();

        @Override
        public Integer call() {
            PrintStream out = parent.out;
            out.printf(Locale.ROOT, "engine: %,d facts for %,d guests through a transactional passthrough, a plain passthrough, "
                    + "a Kafka Streams passthrough and the engine's topology, one after the other%n", facts, guests);
            EngineBenchmark.Result r = EngineBenchmark.run(new EngineBenchmark.Options(guests, facts, cluster.partitions, warmupFacts,
                    cluster.bootstrapServers, cluster.replicationFactor, cluster.timeout, seed, engineSettings), out);
            double streamsRatio = r.engine().perSecond() / r.streams().perSecond();
            out.printf(Locale.ROOT, "result: engine %,.0f facts/s; transactional passthrough %,.0f records/s; ratio %.2f "
                            + "(target >= %.2f: %s); plain passthrough %,.0f records/s; Kafka Streams passthrough %,.0f records/s; "
                            + "engine / Kafka Streams passthrough %.2f (target >= %.2f: %s)%n",
                    r.engine().perSecond(), r.transactional().perSecond(), r.ratio(), TARGET_RATIO,
                    target(r.ratio() >= TARGET_RATIO), r.plain().perSecond(), r.streams().perSecond(), streamsRatio,
                    TARGET_STREAMS_RATIO, target(streamsRatio >= TARGET_STREAMS_RATIO));
            out.println("machine: " + Machine.describe());
            return 0;
        }
    }

    @Command(name = "state", mixinStandardHelpOptions = true,
            description = "State JSON bytes per application of long-lived guests, by field, and their changelog record.")
    static final class State implements Callable<Integer> {
        static final double TARGET_BYTES_PER_APP = 1024;

        @ParentCommand
        BenchCommand parent;

        @Option(names = "--guests", defaultValue = "1000", description = "Guests built (default: ${DEFAULT-VALUE}).")
        int guests;

        @Option(names = "--apps", defaultValue = "4", description = "Applications per guest (default: ${DEFAULT-VALUE}: 400,000 for 100,000 guests).")
        int apps;

        @Option(names = "--failures", defaultValue = "15", description = "Application failures in each guest's history (default: ${DEFAULT-VALUE}).")
        int failures;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the fleet (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            PrintStream out = parent.out;
            out.printf(Locale.ROOT, "state: %,d guests with %d applications, 2 or 3 hosts and %d application failures each%n",
                    guests, apps, failures);
            StateBenchmark.Result r = StateBenchmark.run(new StateBenchmark.Options(guests, apps, failures, seed), out);
            out.printf(Locale.ROOT, "result: state %,.0f bytes per application (%,.0f per guest of %d applications; target <= %,.0f: %s); "
                            + "changelog record %,.0f bytes per guest%n", r.bytesPerApplication(), r.stateBytes(), apps,
                    TARGET_BYTES_PER_APP, target(r.bytesPerApplication() <= TARGET_BYTES_PER_APP), r.changelogRecord());
            out.println("machine: " + Machine.describe());
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Time for a restarted engine without local state to restore every guest's state from the changelog.")
    static final class Restore implements Callable<Integer> {
        static final double TARGET_SECONDS = 5;

        @ParentCommand
        BenchCommand parent;

        @Option(names = "--guests", defaultValue = "100000", description = "Guests in the fleet (default: ${DEFAULT-VALUE}).")
        int guests;

        @Option(names = "--apps", defaultValue = "4", description = "Applications per guest (default: ${DEFAULT-VALUE}).")
        int apps;

        @Option(names = "--samples", defaultValue = "20", description = "Guests checked after the restore, at least one per partition (default: ${DEFAULT-VALUE}).")
        int samples;

        @Mixin
        Cluster cluster;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the fleet (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--cleaner-quiet", defaultValue = "PT20S", description = "Before the restore, wait until the log "
                + "cleaner left the compacted topics unchanged this long, ISO-8601; PT0S: no wait (default: ${DEFAULT-VALUE}).")
        Duration cleanerQuiet;

        @Option(names = "--engine-setting", paramLabel = "KEY=VALUE",
                description = "A Kafka Streams setting instead of the engine's for the restarted instance, e.g. "
                        + "global.consumer.max.partition.fetch.bytes=8388608 (repeatable).")
        Map<String, String> engineSettings = new LinkedHashMap<>();

        @Override
        public Integer call() {
            PrintStream out = parent.out;
            out.printf(Locale.ROOT, "restore: %,d guests with %d applications: package applied, guest started and one failure each%n",
                    guests, apps);
            RestoreBenchmark.Result r = RestoreBenchmark.run(new RestoreBenchmark.Options(guests, apps, cluster.partitions, samples,
                    cluster.bootstrapServers, cluster.replicationFactor, cluster.timeout, seed, cleanerQuiet, engineSettings), out);
            long placements = r.globalView() == null ? 0 : r.globalView().records();
            out.printf(Locale.ROOT, "result: restore %.2f s for %,d guests (target <= %.0f s: %s); changelog %,d records, %.1f MiB, "
                            + "%.2f records per guest; placements %,d records, %.2f per guest%n",
                    r.restoreSeconds(), r.guests(), TARGET_SECONDS, target(r.restoreSeconds() <= TARGET_SECONDS),
                    r.store().records(), r.changelogBytes() / 1048576.0, (double) r.store().records() / r.guests(),
                    placements, (double) placements / r.guests());
            out.println("machine: " + Machine.describe());
            return 0;
        }
    }

    @Command(name = "hostload", mixinStandardHelpOptions = true,
            description = "The engine's processor per fact of a min_package_node guest, as the placements view grows (no broker).")
    static final class HostLoad implements Callable<Integer> {
        @ParentCommand
        BenchCommand parent;

        @Option(names = "--fleets", split = ",", defaultValue = "100,10000",
                description = "Guests placed in the view, one run each (default: ${DEFAULT-VALUE}).")
        List<Integer> fleets;

        @Option(names = "--hosts", defaultValue = "200", description = "Hosts the fleet is spread over (default: ${DEFAULT-VALUE}).")
        int hosts;

        @Option(names = "--measured", defaultValue = "100", description = "min_package_node guests whose facts are timed (default: ${DEFAULT-VALUE}).")
        int measured;

        @Option(names = "--facts", defaultValue = "2000", description = "Facts per round (default: ${DEFAULT-VALUE}).")
        int facts;

        @Option(names = "--rounds", defaultValue = "3", description = "Rounds per fleet, the first a warm-up; the best is reported (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Override
        public Integer call() {
            PrintStream out = parent.out;
            out.printf(Locale.ROOT, "hostload: %d min_package_node guests, %,d facts per round, %d rounds, fleets of %s guests%n",
                    measured, facts, rounds, fleets);
            List<HostLoadBenchmark.Result> r = HostLoadBenchmark.run(new HostLoadBenchmark.Options(fleets, hosts, measured, facts,
                    Math.max(2, rounds)), out);
            HostLoadBenchmark.Result smallest = r.get(0);
            HostLoadBenchmark.Result largest = r.get(r.size() - 1);
            double growth = largest.microsPerFact() / smallest.microsPerFact();
            out.printf(Locale.ROOT, "result: %.1f µs per fact with %,d guests, %.1f µs with %,d (x%.2f; target: flat, x <= 1.5: %s)%n",
                    smallest.microsPerFact(), smallest.fleet(), largest.microsPerFact(), largest.fleet(), growth, target(growth <= 1.5));
            out.println("machine: " + Machine.describe());
            return 0;
        }
    }

    @Command(name = "extras", mixinStandardHelpOptions = true,
            description = "Per-fact extras of the engine in memory: a decision's span with OpenTelemetry off, the placement record compared.")
    static final class Extras implements Callable<Integer> {
        @ParentCommand
        BenchCommand parent;

        @Option(names = "--guests", defaultValue = "10000", description = "Guests in the mix (default: ${DEFAULT-VALUE}).")
        int guests;

        @Option(names = "--facts", defaultValue = "200000", description = "Facts in the mix (default: ${DEFAULT-VALUE}).")
        int facts;

        @Option(names = "--runs", defaultValue = "5", description = "Measured runs; the best is reported (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the mix (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            PrintStream out = parent.out;
            ExtrasBenchmark.Result r = ExtrasBenchmark.run(guests, facts, Math.max(1, runs), seed, out);
            out.printf(Locale.ROOT, "result: a decision's span with OpenTelemetry off %.0f ns (%.0f ns per fact); placement records "
                            + "of the state before and after compared %.0f ns per fact; %.2f placements written per fact%n",
                    r.spanNanos(), r.spanNanos() * r.decisions() / r.facts(), r.placementNanos(), r.placementsPerFact());
            out.println("machine: " + Machine.describe());
            return 0;
        }
    }

    @Command(name = "txn", mixinStandardHelpOptions = true,
            description = "A transaction's first write right after a commit (as the engine's, every 10 ms), and after a pause.")
    static final class TransactionStart implements Callable<Integer> {
        @ParentCommand
        BenchCommand parent;

        @Option(names = "--transactions", defaultValue = "200", description = "Measured transactions of each kind (default: ${DEFAULT-VALUE}).")
        int transactions;

        @Option(names = "--warmup", defaultValue = "20", description = "Uncounted transactions before each kind (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--pause-ms", defaultValue = "5", description = "The pause between a commit and the next write, second kind (default: ${DEFAULT-VALUE}).")
        int pauseMs;

        @Option(names = "--bootstrap-servers", description = "An existing Kafka cluster, to see how its brokers are set (default: a broker started in this JVM).")
        String bootstrapServers;

        @Option(names = "--broker-setting", paramLabel = "KEY=VALUE",
                description = "A setting of the broker started here over GuestGuard's, e.g. add.partitions.to.txn.retry.backoff.ms=20, Kafka's default (repeatable).")
        Map<String, String> brokerSettings = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            if (bootstrapServers != null && !brokerSettings.isEmpty()) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--broker-setting sets the broker started here; leave it out with --bootstrap-servers");
            }
            PrintStream out = parent.out;
            TransactionStartBenchmark.Result r = TransactionStartBenchmark.run(bootstrapServers, brokerSettings,
                    Math.max(0, warmup), Math.max(1, transactions), pauseMs, out);
            out.println("first write right after a commit: " + r.afterCommit().summary());
            out.println("first write " + pauseMs + " ms after a commit: " + r.afterPause().summary());
            out.println("machine: " + Machine.describe());
            return 0;
        }
    }

    /** Where the broker-bound benchmarks (engine, restore) run and how long they may wait: shared options. */
    static final class Cluster {
        @Option(names = "--partitions", defaultValue = "6", description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--bootstrap-servers", description = "An existing Kafka cluster (default: a broker started in this JVM).")
        String bootstrapServers;

        @Option(names = "--replication-factor", defaultValue = "1", description = "Replication factor of the run's topics on an existing cluster (default: ${DEFAULT-VALUE}).")
        short replicationFactor;

        @Option(names = "--timeout", defaultValue = "PT10M", description = "Longest wait for one pipeline or phase, ISO-8601 (default: ${DEFAULT-VALUE}).")
        Duration timeout;
    }
}
