package io.guestguard.deploy.fleet;

import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.ReporterStarted;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.trust.Trust;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * README command 1. {@code run} (the default) starts the two-host local fleet and prints its
 * timeline until Ctrl-C; {@code demo} plays Figure 16 on it, {@code upgrade} a rolling upgrade; {@code bench}, {@code footprint},
 * {@code hostloss}, {@code chaos} and {@code takeover} measure (docs/benchmarks.md).
 */
@Command(name = "guestguard-fleet", mixinStandardHelpOptions = true,
        subcommands = {FleetCommand.Demo.class, FleetCommand.Bench.class, FleetCommand.Footprint.class, FleetCommand.HostLoss.class,
                FleetCommand.Chaos.class, FleetCommand.Takeover.class, FleetCommand.Storm.class,
                FleetCommand.BeatCostCommand.class, FleetCommand.Upgrade.class, FleetCommand.BrokerLoss.class},
        description = "Runs GuestGuard on this machine: an embedded Kafka broker, the policy engine, two simulated hosts "
                + "(primary, standby) with their host supervisors, and three guests (g1, g2, g3) with two applications each.")
public final class FleetCommand implements Callable<Integer> {

    @Option(names = "--dir", defaultValue = "fleet-run", description = "Run folder: broker log, engine state, hosts, guests, logs (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--home", defaultValue = "${sys:guestguard.home:-.}", description = "The GuestGuard checkout holding the built services (default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--engines", defaultValue = "1", description = "Instances of the policy engine and of the migration "
            + "watcher; with 2 or more each keeps a hot standby of another's state and takes its partitions when it stops "
            + "(default: ${DEFAULT-VALUE}).")
    int engines;

    @Option(names = "--restart-limit", defaultValue = "2", description = "app1's service_restart in the guests' packages: none, unlimited or a number; app2's is unlimited (default: ${DEFAULT-VALUE}).")
    String restartLimit;

    @Option(names = "--guest-clock", paramLabel = "GUEST=OFFSET", split = ",",
            description = "Runs that guest's reporter on a skewed clock, under Debian's faketime: an offset such as -2h, +2h, "
                    + "+30m, or +0 for a true clock to move later (write a new offset to RUN/clocks/GUEST). Several allowed, "
                    + "e.g. --guest-clock g1=-2h --guest-clock g2=+2h. Decisions do not follow a guest's clock.")
    Map<String, String> guestClocks = new LinkedHashMap<>();

    @Option(names = "--secure", description = "The broker takes SASL_SSL only, with ACLs on: the engine, the watcher, each "
            + "host's supervisor and each guest's reporter log in as their own SCRAM user over TLS, granted what "
            + "'guestguard acls' prints; certificates and password files in RUN/security (docs/operations.md, Kafka settings).")
    boolean secure;

    @Option(names = "--brokers", defaultValue = "1", description = "Kafka brokers: 1, or a KRaft cluster of 3 or more in "
            + "this JVM (each a broker and a controller), every topic on 3 of them with min.insync.replicas=2 "
            + "(default: ${DEFAULT-VALUE}).")
    int brokers;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        // One line per log record (Kafka logs through java.util.logging here), before anything logs.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        System.exit(new CommandLine(new FleetCommand()).execute(args));
    }

    /** The fleet's options from the command line ({@code --guest-clock}). */
    LocalFleet.Options options() {
        if (brokers == 2) {
            // Two brokers cannot keep min.insync.replicas=2 with one halted, nor a controller quorum.
            throw new IllegalArgumentException("--brokers 2: give 1, or 3 or more (a quorum and two in-sync replicas "
                    + "need three brokers to survive one's death)");
        }
        LocalFleet.Options options = LocalFleet.Options.DEFAULT.withInstances(engines).withConsole().withBrokers(brokers);
        if (secure) {
            options = options.withSecurity();
        }
        for (var clock : guestClocks.entrySet()) {
            options = options.withGuestClock(clock.getKey(), clock.getValue());
        }
        return options;
    }

    @Override
    public Integer call() throws InterruptedException {
        LocalFleet fleet;
        try {
            fleet = LocalFleet.start(home.toAbsolutePath().normalize(), dir.toAbsolutePath().normalize(), restartLimit, options());
        } catch (IllegalArgumentException e) {
            err().println(e.getMessage());
            return 2;
        }
        // The timeline checks the guest log as the services do, so that a refused fact shows as refused.
        Trust trust = Trust.on(fleet.keys().rootPublicFile(), Map.of("bootstrap.servers", fleet.bootstrapServers()),
                fleet.topics(), new EventCodec(), (record, reason) -> { });
        Timeline timeline = new Timeline(fleet.bootstrapServers(), fleet.topics(), out, trust.gate());
        SupervisorKeeper keeper = new SupervisorKeeper(fleet, LocalFleet.HOSTS, out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("stopping the fleet ...");
            keeper.close();
            timeline.close();
            trust.close();
            fleet.close();
            out.println("stopped: no GuestGuard process left (guests included), broker port released");
        }, "fleet-shutdown"));
        // Where a guest runs as processes: its reporter and, under it, its applications; printed again
        // for each new reporter (after a guest's start, a failover, a restart in place).
        timeline.addListener(event -> {
            if (event.data() instanceof ReporterStarted) {
                for (String host : LocalFleet.HOSTS) {
                    fleet.reporter(host, event.guestId()).ifPresent(reporter -> out.printf(
                            "               %s's reporter: pid %d on %s; its processes: ps -o pid,args --ppid %d -p %d%n",
                            event.guestId(), reporter.pid(), host, reporter.pid(), reporter.pid()));
                }
            }
        });
        printHeader(fleet);
        timeline.start();
        keeper.start();
        Thread.currentThread().join(); // until Ctrl-C runs the shutdown hook
        return 0;
    }

    private void printHeader(LocalFleet fleet) {
        String servers = fleet.bootstrapServers();
        Path run = fleet.runDir();
        out.printf("GuestGuard local fleet: 2 simulated hosts, 3 guests%s%n", engines > 1
                ? ", " + engines + " instances of the policy engine and of the migration watcher" : "");
        if (fleet.brokers() == 1) {
            out.printf("  broker                    %s (log folder %s)%n", servers, run.resolve("kafka"));
        } else {
            out.printf("  brokers                   %d in one KRaft quorum, every topic on 3 with min.insync.replicas=2 "
                    + "(log folders %s/node-N)%n", fleet.brokers(), run.resolve("kafka"));
            for (int id = 1; id <= fleet.brokers(); id++) {
                out.printf("    broker %d                %s%n", id, fleet.broker(id));
            }
        }
        fleet.security().ifPresent(security -> out.printf("  secure listener           %s (SASL_SSL, ACLs on; each service, host and guest its own "
                + "SCRAM user; certificates and password files in %s); the broker address above is the harness's, a super user%n",
                security.saslSsl(), run.resolve("security")));
        for (ServiceProcess service : fleet.services()) {
            out.printf("  %-25s pid %d, log %s%n", service.name(), service.pid(), service.log());
        }
        out.printf("  guests                    %s on hosts [primary, standby]: a guest reporter with app1 (service_restart %s) "
                + "and app2 (unlimited); packages in %s%n", String.join(", ", LocalFleet.GUESTS), restartLimit, run.resolve("packages"));
        out.printf("                            the engine starts them on primary; list them: grep . %s/*/*  (PGID STARTTICKS per host/guest)%n",
                fleet.registry());
        out.printf("  guest network             guests reach Kafka at %s through their host's gateway (addresses in %s)%n",
                LocalFleet.GATEWAY_NAME, fleet.registry().resolve(".network"));
        if (!guestClocks.isEmpty()) {
            out.printf("  guest clocks              %s under faketime (move one while it runs: echo +1h > %s/GUEST); "
                    + "decisions keep the broker's clock%n", guestClocks, run.resolve("clocks"));
        }
        out.printf("  metrics                   engine %s, watcher %s%n", fleet.engineMetricsUrl(), fleet.watcherMetricsUrl());
        if (fleet.runsConsole()) {
            ConsoleUsers users = fleet.consoleUsers();
            out.printf("  console                   %s (the fleet, the live decision timeline, operator actions)%n", fleet.consoleUrl());
            out.printf("                            sign in as %s / %s (operator: may act) or %s / %s (viewer); users in %s%n",
                    ConsoleUsers.OPERATOR, users.password(ConsoleUsers.OPERATOR), ConsoleUsers.VIEWER,
                    users.password(ConsoleUsers.VIEWER), users.file());
        }
        out.printf("  logs                      %s (guests: %s)%n", run.resolve("logs"), run.resolve("logs/guests"));
        out.println("try, in another terminal:");
        out.printf("  Figure 16    kill -9 PID, PID from the last 'g1/app1  started (pid PID)' line below; again each time app1 is back:%n"
                + "               after %s restarts g1 fails over to standby (or watch it played: ./fleet demo)%n", restartLimit);
        out.printf("  sign first   export GUESTGUARD_KEY=%s  (the fleet's operator key: the fleet refuses unsigned requests)%n",
                fleet.keys().privateFile(LocalFleet.OPERATOR));
        out.printf("  migrate      ./guestguard guest migrate --guest g2 --to standby --bootstrap-servers %s%n"
                + "               (the source cuts g2's connections; the watcher's rebind checks its reporter is back)%n", servers);
        out.printf("  host loss    kill -9 %d  (primary's supervisor): standby fences primary, then starts its guests%n",
                fleet.supervisor("primary").pid());
        out.printf("  restart      kill %d  (SIGTERM, as systemctl restart): primary leaves, detached, nothing fenced; the fleet "
                + "starts its supervisor again %d s later (as the unit's Restart=always), which finds its guests running%n",
                fleet.supervisor("primary").pid(), SupervisorKeeper.RESTART_SEC.toSeconds());
        out.println("  upgrade      kill -USR1 PID, PID from a 'GUEST's reporter: pid PID' line below: the reporter restarts in place, "
                + "its applications keep their pids and the new reporter adopts them; ./fleet upgrade plays a whole rolling upgrade");
        out.printf("  operator     ./guestguard guest halt|run|move --guest g3 [--to HOST] / ./guestguard app stop|start --guest g3 app2"
                + " (add --bootstrap-servers %s)%n", servers);
        out.println("Ctrl-C stops everything.");
        out.println("timeline:");
    }

    /** Figure 16 of the Serviceguard white paper on g1: restarts until the limit, then failover. */
    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Plays Figure 16 of the Serviceguard white paper on g1: kills app1 until its service_restart is "
                    + "exceeded, then watches g1 fail over from primary to standby and app1 run again there.")
    static final class Demo implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--timeout", defaultValue = "240", description = "Seconds the whole play may take, the fleet's start included (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() throws InterruptedException {
            PrintStream out = parent.out;
            out.printf("Figure 16: g1/app1 is killed until its service_restart (%s) is exceeded; then g1 fails over "
                    + "from primary to standby.%nstarting the two-host fleet in %s ...%n", parent.restartLimit, parent.dir);
            try (BenchFleet bench = BenchFleet.twoHosts(parent.home, parent.dir, parent.restartLimit, parent.options())) {
                Observed observed = new Observed(bench.timeline());
                bench.ready();
                Figure16Demo demo = new Figure16Demo(observed, "g1", "app1", out);
                Figure16Demo.Result result = demo.play(Duration.ofSeconds(timeoutSeconds));
                out.println(Figure16Demo.summary("g1", "app1", result));
                out.println("stopping the fleet ...");
            } catch (Observed.DeadlineException | IllegalStateException | IllegalArgumentException e) {
                return parent.failed("demo", e);
            }
            return 0;
        }
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

        @Option(names = "--supervisord-kills", defaultValue = "-1", description = "Then, in the same run beside the fleet, "
                + "as many kills of the same kind of application under Debian's supervisord (autorestart=true, startsecs=0), "
                + "timed the same way (default: as many as --kills; 0: no baseline).")
        int supervisordKills;

        @Option(names = "--pause-ms", defaultValue = "0", description = "Before each kill, a random pause of up to this many ms, "
                + "so that kills fall anywhere in the engine's commit cycle rather than right after its last commit "
                + "(default: ${DEFAULT-VALUE}: each kill as soon as the last restart is seen, the recorded harness).")
        long pauseMs;

        @Option(names = "--storm-beats", defaultValue = "0", description = "Then as many kills again during storms of this "
                + "many guest beats (from 10,000 guests), in the same run, on the two-host fleet with the migration watcher and "
                + "unlimited restarts (default: ${DEFAULT-VALUE}: no storms, the single-reporter layout).")
        int stormBeats;

        @Override
        public Integer call() throws IOException, InterruptedException {
            if (pauseMs < 0 || (pauseMs > 0 && stormBeats > 0)) {
                parent.err().println("--pause-ms " + pauseMs + ": give 0 (no pause) or more, and not with --storm-beats, "
                        + "whose kills follow the storms");
                return 2;
            }
            if (stormBeats > 0) {
                return duringStorms();
            }
            PrintStream out = parent.out;
            // The single-reporter layout: the figures measure the reporter and the engine, as recorded before.
            try (BenchFleet bench = BenchFleet.singleReporter(parent.home, parent.dir, "unlimited");
                 RestartBenchmark benchmark = new RestartBenchmark(bench.timeline(), bench.fleet().bootstrapServers(),
                         bench.fleet().topics(), "g1", "app1").pausingUpTo(Duration.ofMillis(pauseMs))) {
                bench.ready();
                out.printf("crash -> new pid benchmark: %d warm-up kills, then %d measured%s%n", warmup, kills,
                        pauseMs > 0 ? ", each after a random pause of up to " + pauseMs + " ms" : "");
                RestartBenchmark.Results result = benchmark.run(warmup, kills, out);
                out.println(result.total().summary());
                out.println(result.stages());
                int baselineKills = supervisordKills < 0 ? kills : supervisordKills;
                if (baselineKills > 0) {
                    out.println(RestartBenchmark.sideBySide(result.total(), supervisord(baselineKills, out)));
                }
                out.println("machine: " + machine());
            }
            return 0;
        }

        /** The supervisord baseline, measured while the fleet still runs. */
        private RestartBenchmark.Result supervisord(int baselineKills, PrintStream out) throws IOException, InterruptedException {
            Path executable = SupervisordBaseline.executable().orElseThrow(() -> new IllegalStateException(
                    "supervisord not found for the baseline: apt-get install -y supervisor (or --supervisord-kills 0)"));
            out.printf("supervisord baseline: %d warm-up kills, then %d measured%n", warmup, baselineKills);
            try (SupervisordBaseline baseline = SupervisordBaseline.start(executable,
                    parent.dir.toAbsolutePath().resolve("supervisord"), "sleep 86400")) {
                return baseline.run(warmup, baselineKills);
            }
        }

        /**
         * The two-host fleet: kills without a storm, then as many during storms of guest beats, one
         * after the other; counts host losses and fences all along (there must be none).
         */
        private int duringStorms() throws InterruptedException {
            PrintStream out = parent.out;
            int guests = 10_000;
            int beats = Math.max(1, stormBeats / guests);
            AtomicInteger losses = new AtomicInteger();
            AtomicInteger fences = new AtomicInteger();
            ExecutorService storms = Executors.newSingleThreadExecutor();
            try (BenchFleet bench = BenchFleet.twoHosts(parent.home, parent.dir, "unlimited");
                 RestartBenchmark benchmark = new RestartBenchmark(bench.timeline(), bench.fleet().bootstrapServers(),
                         bench.fleet().topics(), "g1", "app1")) {
                bench.timeline().addListener(event -> {
                    if (event.data() instanceof HostLost) {
                        losses.incrementAndGet();
                    } else if (event.data() instanceof Decision d && d.action() == Decision.Action.FENCE_HOST) {
                        fences.incrementAndGet();
                    }
                });
                bench.ready();
                LocalFleet fleet = bench.fleet();
                GuestBeatStorm storm = new GuestBeatStorm(fleet.bootstrapServers(), fleet.topics());
                out.printf("crash -> new pid on the two-host fleet: %d warm-up kills, %d measured without a storm, then %d "
                        + "during storms of %,d guest beats (%,d guests x %d)%n", warmup, kills, kills, guests * beats, guests, beats);
                RestartBenchmark.Results quiet = benchmark.run(warmup, kills, out);
                out.println("without a storm: " + quiet.total().summary());
                out.println(quiet.stages());
                AtomicReference<Future<GuestBeatStorm.Result>> current = new AtomicReference<>();
                RestartBenchmark.Results stormy = benchmark.runDuringStorms(kills,
                        () -> current.set(storms.submit(() -> storm.write(guests, beats))),
                        () -> !current.get().isDone() || unread(fleet) > 0, out);
                out.println("without a storm: " + quiet.total().summary());
                out.println("during storms:   " + stormy.total().summary());
                out.println(stormy.stages());
                out.printf("host.lost facts during the run: %d; fence decisions: %d%n", losses.get(), fences.get());
                out.println("machine: " + machine());
                return losses.get() == 0 ? 0 : 1;
            } finally {
                storms.shutdownNow();
            }
        }

        /** Guest beats not yet read by a service that reads them (the engine before host-heartbeats.v1 did). */
        private static long unread(LocalFleet fleet) {
            long unread = 0;
            for (String group : List.of(LocalFleet.ENGINE_APPLICATION_ID, LocalFleet.WATCHER_APPLICATION_ID)) {
                unread += GroupLag.ofReader(fleet.bootstrapServers(), group, fleet.topics().heartbeats()).orElse(0);
            }
            return unread;
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
            out.println("  tiered = " + String.join(" ", ReporterFootprint.TIERED) + "; lean = " + String.join(" ", ReporterFootprint.LEAN));
            var footprint = new ReporterFootprint(parent.home.toAbsolutePath().normalize(),
                    parent.dir.toAbsolutePath().normalize(), out);
            out.println(ReporterFootprint.summary(footprint.measure(runs, Duration.ofSeconds(settleSeconds))));
            out.println("machine: " + machine());
            return 0;
        }
    }

    /** Host loss on the two-host fleet, or (--synthetic) on the engine alone (docs/benchmarks.md). */
    @Command(name = "hostloss", mixinStandardHelpOptions = true,
            description = "Kills a host supervisor (SIGKILL) on the two-host fleet and measures the time to the fence decision, "
                    + "the fence, the guest's start on the other host and its application's start; each run on a fresh fleet.")
    static final class HostLoss implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--runs", defaultValue = "5", description = "Hosts lost, each on a fresh fleet (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--synthetic", description = "Measure the engine alone instead: hosts are beats written by this "
                + "command, and the run ends at the fence decision.")
        boolean synthetic;

        @Option(names = "--guest-beat-rate", defaultValue = "0", description = "With --synthetic: guest beats written per "
                + "second all along (from 10,000 guests), with the migration watcher running to read them (default: "
                + "${DEFAULT-VALUE}: none, and no watcher).")
        int guestBeatRate;

        @Override
        public Integer call() throws Exception {
            PrintStream out = parent.out;
            if (synthetic) {
                try (BenchFleet bench = BenchFleet.singleReporter(parent.home, parent.dir, "3", guestBeatRate > 0)) {
                    HostLossBenchmark benchmark = new HostLossBenchmark(bench.timeline(), bench.fleet().bootstrapServers(),
                            bench.fleet().topics(), bench.fleet().keys());
                    bench.ready();
                    out.printf("host loss -> failover decided (synthetic hosts): %d runs, hosts beating every %d ms%s%n", runs,
                            HostLossBenchmark.BEAT.toMillis(), guestBeatRate > 0
                                    ? String.format(Locale.ROOT, ", %,d guest beats per second all along", guestBeatRate) : "");
                    try (GuestBeatLoad load = GuestBeatLoad.start(bench.fleet(), guestBeatRate)) {
                        out.println(HostLossBenchmark.summary(benchmark.run(runs, out)));
                        load.report(out);
                    }
                    out.println("machine: " + machine());
                }
                return 0;
            }
            out.printf("host loss on the two-host fleet: %d runs, each on a fresh fleet: primary's host supervisor killed "
                    + "(SIGKILL), watched guest g1, hosts beating every 250 ms, engine host-timeout 1 s%n", runs);
            List<FleetHostLossBenchmark.Run> results = new ArrayList<>();
            try {
                for (int i = 1; i <= runs; i++) {
                    try (BenchFleet bench = BenchFleet.twoHosts(parent.home, parent.dir, parent.restartLimit)) {
                        Observed observed = new Observed(bench.timeline());
                        bench.ready();
                        results.add(new FleetHostLossBenchmark(bench.fleet(), observed, "g1").run(i, out));
                    }
                }
                out.println(FleetHostLossBenchmark.summary(results));
                out.println("machine: " + machine());
            } catch (Observed.DeadlineException e) {
                return parent.failed("hostloss", e);
            }
            return 0;
        }
    }

    /** Live migrations back and forth with failures injected (issue 6's chaos benchmark, docs/benchmarks.md). */
    @Command(name = "chaos", mixinStandardHelpOptions = true,
            description = "Migrates g1 back and forth between the two hosts, killing its app2 before, during or right after "
                    + "each migration and making some migrations fail; reports missed failures, budget resets, double "
                    + "runners, escalations and the time to contact re-verified.")
    static final class Chaos implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--migrations", defaultValue = "100", description = "Live migrations (default: ${DEFAULT-VALUE}).")
        int migrations;

        @Option(names = "--fail-every", defaultValue = "10", description = "One migration in every this many fails on "
                + "purpose (default: ${DEFAULT-VALUE}).")
        int failEvery;

        @Option(names = "--seed", description = "Which migration of each block fails (default: random, printed).")
        Long seed;

        @Option(names = "--back-to-back-every", defaultValue = "25", description = "One migration in every this many is "
                + "followed at once by the next, before its rebind was answered (default: ${DEFAULT-VALUE}).")
        int backToBackEvery;

        @Option(names = "--without-watcher", description = "Run the fleet without the migration watcher, to compare.")
        boolean withoutWatcher;

        @Override
        public Integer call() throws Exception {
            PrintStream out = parent.out;
            long chosen = seed == null ? new java.util.Random().nextLong() : seed;
            out.printf("migration chaos on the two-host fleet: %d live migrations of g1, app2 killed before, during or right "
                    + "after each, one in %d refused by its target; seed %d%nstarting the fleet in %s ...%n", migrations,
                    failEvery, chosen, parent.dir);
            LocalFleet.Options options = withoutWatcher ? LocalFleet.Options.DEFAULT.withoutWatcher() : LocalFleet.Options.DEFAULT;
            try (BenchFleet bench = BenchFleet.twoHosts(parent.home, parent.dir, parent.restartLimit, options)) {
                Observed observed = new Observed(bench.timeline());
                bench.ready();
                MigrationChaos.Report report = new MigrationChaos(bench.fleet(), observed, chosen, out, !withoutWatcher)
                        .run(migrations, failEvery, backToBackEvery, Duration.ofSeconds(60));
                out.println(report.summary());
                if (!withoutWatcher) {
                    out.println(MigrationChaos.watcherCounters(bench.fleet()));
                }
                out.println("machine: " + machine());
                return report.stoppedBy() == null && report.missed() == 0 && report.budgetResets() == 0
                        && report.doubleRunners() == 0 ? 0 : 1;
            } catch (Observed.DeadlineException e) {
                return parent.failed("chaos", e);
            }
        }
    }

    /** A rolling upgrade of every service while the guests run and fail (issue 16, point 3). */
    @Command(name = "upgrade", mixinStandardHelpOptions = true,
            description = "Starts the two-host fleet with two instances of the engine and of the watcher (or --engines) and "
                    + "restarts every service one at a time, as an upgrade does: each engine and watcher instance (SIGTERM), "
                    + "each host supervisor (SIGTERM: a detach), each guest reporter (SIGUSR1: restart in place, its "
                    + "applications adopted), killing an app2 during each step; prints what each step did, then checks the "
                    + "log with replay --verify.")
    static final class Upgrade implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--no-failures", description = "Inject no failures during the roll.")
        boolean noFailures;

        @Option(names = "--step-timeout", defaultValue = "90", description = "Seconds a step may take (default: ${DEFAULT-VALUE}).")
        int stepTimeoutSeconds;

        @Override
        public Integer call() throws InterruptedException {
            PrintStream out = parent.out;
            int instances = Math.max(2, parent.engines);
            out.printf("rolling upgrade: %d engines, %d watchers, 2 host supervisors and 3 guest reporters restarted one at a "
                    + "time%s%nstarting the two-host fleet in %s ...%n", instances, instances,
                    noFailures ? "" : ", an " + RollingUpgrade.VICTIM_APP + " killed (SIGKILL) during each step", parent.dir);
            try (BenchFleet bench = BenchFleet.twoHosts(parent.home, parent.dir, parent.restartLimit,
                    parent.options().withInstances(instances))) {
                Observed observed = new Observed(bench.timeline());
                bench.ready();
                RollingUpgrade roll = new RollingUpgrade(bench.fleet(), observed, out, !noFailures,
                        Duration.ofSeconds(stepTimeoutSeconds));
                roll.awaitApplications();
                int mark = observed.mark();
                List<RollingUpgrade.Step> steps = roll.play();
                long moved = observed.between(mark, observed.mark(), e -> e.data() instanceof HostLost
                        || e.data() instanceof Decision d && (d.action() == Decision.Action.FENCE_HOST
                        || d.action() == Decision.Action.FAILOVER || d.action() == Decision.Action.START_GUEST)).size();
                boolean unchanged = steps.stream().allMatch(RollingUpgrade.Step::appsUnchanged);
                long injected = steps.stream().filter(s -> s.injected().isPresent()).count();
                out.printf("%d steps; application pids unchanged in every step: %s; %d failures injected, each decided and "
                        + "restarted; hosts lost, fences, failovers or guest starts: %d%n", steps.size(),
                        unchanged ? "yes" : "NO", injected, moved);
                java.io.StringWriter replay = new java.io.StringWriter();
                int verified = new CommandLine(new io.guestguard.cli.GuestGuardCommand()).setOut(new java.io.PrintWriter(replay))
                        .setErr(new java.io.PrintWriter(replay))
                        .execute("replay", "--verify", "--bootstrap-servers", bench.fleet().bootstrapServers());
                out.printf("replay --verify: %s%n", replay.toString().strip().lines().reduce((a, b) -> b).orElse("no output"));
                out.println("stopping the fleet ...");
                return unchanged && moved == 0 && verified == 0 ? 0 : 1;
            } catch (Observed.DeadlineException | IllegalStateException | IllegalArgumentException e) {
                return parent.failed("upgrade", e);
            }
        }
    }

    /** Engine takeover: kill -9 of the active engine instance during a failure storm (docs/benchmarks.md). */
    @Command(name = "takeover", mixinStandardHelpOptions = true,
            description = "Runs two policy engine instances under a storm of application failures, kills the active one "
                    + "(SIGKILL) again and again, starting it again between kills, and measures the time from each kill to "
                    + "the next decision for the partitions it owned; then checks that no failure was lost or decided twice.")
    static final class Takeover implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--kills", defaultValue = "10", description = "Kills (default: ${DEFAULT-VALUE}).")
        int kills;

        @Override
        public Integer call() throws Exception {
            PrintStream out = parent.out;
            out.printf("engine takeover: 2 policy engine instances, %d failures a second over %d guests on every partition; "
                    + "the active instance is killed (SIGKILL) %d times and started again after each%nstarting in %s ...%n",
                    1000 / TakeoverBenchmark.STORM_INTERVAL.toMillis(), TakeoverBenchmark.GUESTS, kills, parent.dir);
            LocalFleet fleet = LocalFleet.startEngines(parent.home.toAbsolutePath().normalize(),
                    parent.dir.toAbsolutePath().normalize(), 2, "unlimited", Map.of());
            // The engines run in sessions of their own: a Ctrl-C stops them through this hook.
            Thread onExit = new Thread(fleet::close, "takeover-shutdown");
            Runtime.getRuntime().addShutdownHook(onExit);
            try (TakeoverBenchmark benchmark = new TakeoverBenchmark(fleet)) {
                TakeoverBenchmark.Report report = benchmark.run(kills, TakeoverBenchmark.SETTLE, out);
                out.println(report.summary());
                out.println("machine: " + machine());
                return report.lost() == 0 && report.doubled() == 0 && report.budgetsBroken().isEmpty() ? 0 : 1;
            } catch (IllegalStateException e) {
                return parent.failed("takeover", e);
            } finally {
                Runtime.getRuntime().removeShutdownHook(onExit);
                fleet.close();
            }
        }
    }

    /** A broker's death under a failure storm, on three brokers (issue 19). */
    @Command(name = "brokerloss", mixinStandardHelpOptions = true,
            description = "The two-host fleet on a KRaft cluster of --brokers brokers (3 by default): a crash restarted, then a "
                    + "storm of SIGKILLs of every guest's app2 during which the broker leading most of guest-log.v1's partitions "
                    + "is halted abruptly and restarted, --halts times; prints each halt's decision pause, p50 and max, and "
                    + "checks that no fact is lost and no failure decided twice.")
    static final class BrokerLoss implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--halts", defaultValue = "5", description = "Broker halts (default: ${DEFAULT-VALUE}).")
        int halts;

        @Option(names = "--failures", defaultValue = "200", description = "Application failures at least (default: ${DEFAULT-VALUE}).")
        int failures;

        @Override
        public Integer call() throws InterruptedException {
            PrintStream out = parent.out;
            int brokers = parent.brokers < 3 ? 3 : parent.brokers;
            out.printf("broker loss: the two-host fleet on %d brokers, %d halts during a storm of at least %d failures%n"
                    + "starting in %s ...%n", brokers, halts, failures, parent.dir);
            try (BenchFleet bench = BenchFleet.twoHosts(parent.home, parent.dir, parent.restartLimit,
                    parent.options().withBrokers(brokers))) {
                Observed observed = new Observed(bench.timeline());
                AtomicInteger losses = new AtomicInteger();
                bench.timeline().addListener(event -> {
                    if (event.data() instanceof HostLost || event.data() instanceof Decision d
                            && (d.action() == Decision.Action.FENCE_HOST || d.action() == Decision.Action.FAILOVER)) {
                        losses.incrementAndGet();
                    }
                });
                bench.ready();
                BrokerLossBenchmark.Report report = new BrokerLossBenchmark(bench.fleet(), observed, out, Duration.ofSeconds(60))
                        .run(halts, Math.max(1, failures / (halts + 2)), failures);
                out.println(report.summary());
                out.printf("host.lost facts, fence and failover decisions during the run: %d%n", losses.get());
                out.println("machine: " + machine());
                return report.lost().isEmpty() && report.undecided().isEmpty() && report.doubled().isEmpty()
                        && losses.get() == 0 ? 0 : 1;
            } catch (IllegalStateException | Observed.DeadlineException e) {
                return parent.failed("brokerloss", e);
            }
        }
    }

    /** A storm of guest beats on a running fleet's broker, as by hand with kcat (issue 12). */
    @Command(name = "storm", mixinStandardHelpOptions = true,
            description = "Writes a storm of well-formed guest heartbeats (GUESTS x BEATS) to a running fleet's heartbeats.v1 "
                    + "as fast as one producer can, and says how long it took.")
    static final class Storm implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--bootstrap-servers", required = true, description = "The running fleet's broker, as ./fleet printed it.")
        String bootstrapServers;

        @Option(names = "--guests", defaultValue = "10000", description = "Guests beating (default: ${DEFAULT-VALUE}).")
        int guests;

        @Option(names = "--beats", defaultValue = "30", description = "Beats per guest (default: ${DEFAULT-VALUE}).")
        int beats;

        @Override
        public Integer call() throws InterruptedException {
            parent.out.println(new GuestBeatStorm(bootstrapServers, io.guestguard.protocol.Topics.DEFAULT).write(guests, beats).summary());
            return 0;
        }
    }

    /** CPU per guest beat for the engine and the watcher (docs/benchmarks.md). */
    @Command(name = "beatcost", mixinStandardHelpOptions = true,
            description = "Starts the engine and the migration watcher, writes a storm of guest beats, and reports the CPU each "
                    + "spent per beat (over what it spends idle).")
    static final class BeatCostCommand implements Callable<Integer> {

        @ParentCommand
        FleetCommand parent;

        @Option(names = "--guests", defaultValue = "10000", description = "Guests beating (default: ${DEFAULT-VALUE}).")
        int guests;

        @Option(names = "--beats", defaultValue = "30", description = "Beats per guest (default: ${DEFAULT-VALUE}).")
        int beats;

        @Option(names = "--watched", description = "Report the guests started first, so that the migration watcher watches "
                + "them and reads each of their beats, as it does a real fleet's (default: unknown guests, whose beats it skips).")
        boolean watched;

        @Override
        public Integer call() throws InterruptedException {
            PrintStream out = parent.out;
            try (BenchFleet bench = BenchFleet.singleReporter(parent.home, parent.dir, "3", true)) {
                bench.ready();
                bench.fleet().awaitReady(LocalFleet.WATCHER_APPLICATION_ID, Duration.ofSeconds(120));
                out.printf("CPU per guest beat: %,d guest beats (%,d %s guests x %d) on the engine and the migration watcher of %s%n",
                        (long) guests * beats, guests, watched ? "watched" : "unknown", beats, parent.home.toAbsolutePath().normalize());
                new BeatCost(bench.fleet(), out).measure(guests, beats, watched).forEach(cost -> out.println(cost.summary()));
                out.println("machine: " + machine());
            }
            return 0;
        }
    }

    PrintStream err() {
        return System.err;
    }

    /** Says why a play or benchmark stopped and where the fleet's logs are; the exit code. */
    int failed(String what, RuntimeException e) {
        err().println(what + " failed: " + e.getMessage() + "; logs in " + dir.toAbsolutePath().resolve("logs"));
        return 1;
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
