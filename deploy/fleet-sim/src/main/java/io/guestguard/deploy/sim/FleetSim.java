package io.guestguard.deploy.sim;

import io.guestguard.deploy.fleet.LocalFleet;
import io.guestguard.deploy.fleet.ServiceProcess;
import io.guestguard.deploy.kafka.MetricsPage;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestAction;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.guestguard.protocol.kafka.OperatorLog;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A simulated fleet driving the real packaged policy engine (one or two instances, with its host-loss
 * detector) and migration watcher on the embedded broker, in phases:
 * <ol>
 *   <li>place: each guest's package applied (auto_run, a primary and a standby host, each application
 *       restarted without limit in a window longer than the run), every guest started where the
 *       engine says, its reporter's facts sent;</li>
 *   <li>steady state: guests beat every second, hosts every 250 ms (the services' defaults),
 *       applications fail on a seeded schedule; latencies, each service's CPU and memory and the
 *       consumer groups' lag measured;</li>
 *   <li>migration wave: live migrations of distinct guests to their package's other host, each asked
 *       by a signed {@code operator.request} as the CLI and the console ask, at most so many in
 *       flight, while the steady failures go on and an application of each guest fails while it
 *       migrates and again right after; then it waits for the watcher's contact check of each;</li>
 *   <li>storm: a share of all applications fail within one second; the engines' own part of the wait
 *       (their decision-latency histogram, before the commit) read before and after, and the machine's
 *       and each service's CPU over it;</li>
 *   <li>host loss: hosts stop beating and answering; their guests run on until fenced, then start on
 *       their standby hosts;</li>
 * </ol>
 * then waits for every failure's restart to be decided and applied (or a deadline) and counts what
 * was missed. The wave comes after the steady state, so that the steady state's cost is measured
 * without it, and before the storm and the host loss, so that its latencies are not the storm's and
 * a {@code FAILOVER} in it is never a lost host's; its guests are those whose package lists no host
 * to be lost, so that the host loss moves the same guests with or without a wave.
 */
final class FleetSim implements AutoCloseable {

    private static final Duration SERVICE_READY = Duration.ofSeconds(120);
    private static final Duration HOST_BEAT = Duration.ofMillis(250);
    private static final int BEAT_SLICES = 10;
    private static final long FAILURE_WINDOW_MS = Duration.ofHours(6).toMillis();
    private static final String STEADY = "steady";
    private static final String STORM = "storm";
    private static final String ENGINE_LATENCY = "guestguard_decision_latency_seconds";
    private static final String WAVE = "wave";
    /** Who asks for the wave's migrations: an operator of its own, with its own registered key. */
    static final String OPERATOR = "fleet-sim";
    /** A migration not running on its new host this long after its request stops the wave. */
    private static final Duration MIGRATION_DEADLINE = Duration.ofSeconds(60);

    private final SimSettings settings;
    private final PrintStream out;
    private final LocalFleet fleet;
    private final Map<String, SimGuest> guests = new LinkedHashMap<>();
    private final List<String> hosts = new ArrayList<>();
    private final Failures failures = new Failures();
    private final Migrations migrations;
    private final Wire wire;
    private final Reporters reporters;
    private final Supervisors supervisors;
    private final CommandReader reader;
    private final GroupLag lag;
    private final Random random;
    private boolean closed;
    private final ScheduledExecutorService beats = Executors.newScheduledThreadPool(2, r -> {
        Thread thread = new Thread(r, "fleet-sim-beats");
        thread.setDaemon(true);
        return thread;
    });

    FleetSim(SimSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
        this.random = new Random(settings.seed());
        for (int h = 1; h <= settings.hosts(); h++) {
            hosts.add(settings.hostId(h));
        }
        for (int g = 1; g <= settings.guests(); g++) {
            String id = settings.guestId(g);
            guests.put(id, new SimGuest(id, List.of(hosts.get(g % hosts.size()), hosts.get((g + 1) % hosts.size())), settings.apps()));
        }
        long migratable = guests.values().stream().filter(this::migratable).count();
        if (migratable < settings.migrations()) {
            throw new IllegalArgumentException("--migrations " + settings.migrations() + ": only " + migratable + " guests have a "
                    + "package that lists none of the hosts to be lost (--host-loss " + settings.hostLoss() + ")");
        }
        fleet = LocalFleet.startEngines(settings.home(), settings.runDir(), settings.engines(), "unlimited", Map.of());
        try {
            long began = System.nanoTime();
            List<Principal> principals = new ArrayList<>();
            hosts.forEach(h -> principals.add(Principal.host(h)));
            guests.keySet().forEach(g -> principals.add(Principal.guest(g)));
            principals.add(new Principal(Role.OPERATOR, OPERATOR));
            fleet.keys().keys(principals);
            out.printf("%d keys registered in %d ms%n", principals.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
            fleet.startWatcher(settings.home());
            wire = new Wire(fleet.bootstrapServers(), fleet.topics(), fleet.keys());
            Map<String, SimGuest> shared = new ConcurrentHashMap<>(guests);
            migrations = new Migrations(this::failAny);
            reporters = new Reporters(shared, wire, failures, migrations);
            supervisors = new Supervisors(hosts, shared, wire, reporters, migrations, beats);
            reader = new CommandReader(fleet.bootstrapServers(), fleet.topics(), reporters, supervisors, failures, migrations);
            lag = new GroupLag(fleet.bootstrapServers());
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    SimResult run() throws Exception {
        fleet.awaitEngineReady(SERVICE_READY);
        fleet.awaitReady(LocalFleet.WATCHER_APPLICATION_ID, SERVICE_READY);
        reader.start();
        beats.scheduleAtFixedRate(supervisors::beat, 0, HOST_BEAT.toMillis(), TimeUnit.MILLISECONDS);
        List<List<SimGuest>> slices = slices();
        long sliceMs = 1000 / BEAT_SLICES;
        for (int i = 0; i < slices.size(); i++) {
            List<SimGuest> slice = slices.get(i);
            beats.scheduleAtFixedRate(() -> reporters.beat(slice), i * sliceMs, 1000, TimeUnit.MILLISECONDS);
        }
        double placeSeconds = place();
        out.printf("placed %d guests in %.1f s%n", guests.size(), placeSeconds);

        Map<String, ProcessUsage> before = usage();
        Map<String, Long> maxLag = new TreeMap<>();
        long steadyStart = System.nanoTime();
        steady(maxLag);
        long steadyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - steadyStart);
        Map<String, SimResult.Usage> usage = cost(before, usage(), steadyMs);
        out.printf("steady state done: %d failures injected%n", failures.of(STEADY).size());

        SimResult.Wave wave = wave();

        PrometheusHistogram engineBefore = engineLatency();
        Map<String, ProcessUsage> stormUsageBefore = usage();
        MachineUsage machineBefore = MachineUsage.now();
        long stormStart = System.nanoTime();
        int stormFailures = storm();
        await(() -> failures.all().stream().allMatch(f -> f.applied()), Duration.ofSeconds(60));
        long stormMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stormStart);
        SimResult.StormCost stormCost = new SimResult.StormCost(stormMs, MachineUsage.now().busyPercentSince(machineBefore),
                cost(stormUsageBefore, usage(), stormMs));
        PrometheusHistogram stormEngine = engineLatency().minus(engineBefore);

        int lostGuests = 0;
        long hostLossMs = -1;
        if (settings.hostLoss() > 0) {
            List<SimGuest> lost = new ArrayList<>();
            List<String> lostHosts = hosts.subList(0, settings.hostLoss());
            lostHosts.forEach(h -> lost.addAll(supervisors.lose(h)));
            lostGuests = lost.size();
            out.printf("lost %s with %d guests%n", lostHosts, lostGuests);
            BooleanSupplier allMoved = () -> lost.stream().allMatch(g -> supervisors.started(g.id)
                    .filter(s -> !lostHosts.contains(s.host())).isPresent());
            if (await(allMoved, Duration.ofSeconds(90))) {
                long lastBeat = lostHosts.stream().mapToLong(supervisors::lastBeatAt).max().orElseThrow();
                long lastStart = lost.stream().mapToLong(g -> supervisors.started(g.id).orElseThrow().at()).max().orElseThrow();
                hostLossMs = lastStart - lastBeat;
            }
        }
        wire.flush();
        List<Failures.Failure> all = failures.all();
        return new SimResult(settings.guests(), settings.hosts(), settings.apps(), placeSeconds, (int) (steadyMs / 1000),
                decisionLatency(failures.of(STEADY)), appliedLatency(failures.of(STEADY)), usage, maxLag,
                stormFailures, decisionLatency(failures.of(STORM)), appliedLatency(failures.of(STORM)), stormAllApplied(), stormEngine, stormCost,
                lostGuests, hostLossMs, (int) all.stream().filter(f -> !f.decided()).count(),
                (int) all.stream().filter(f -> !f.applied()).count(), failures.budgetResets(), supervisors.refused(),
                reader.unreadable(), wire.failedSends(), Map.of(Decision.Action.RESTART_APP.name(), failures.decisions(Decision.Action.RESTART_APP),
                Decision.Action.START_GUEST.name(), failures.decisions(Decision.Action.START_GUEST),
                Decision.Action.FENCE_HOST.name(), failures.decisions(Decision.Action.FENCE_HOST),
                Decision.Action.FAILOVER.name(), failures.decisions(Decision.Action.FAILOVER),
                Decision.Action.ALERT.name(), failures.decisions(Decision.Action.ALERT)), wave);
    }

    /** Applies every guest's package and waits until each runs with its applications up; returns the seconds it took. */
    private double place() throws InterruptedException {
        long began = System.nanoTime();
        for (SimGuest guest : guests.values()) {
            List<PackageSpec.AppPolicy> apps = new ArrayList<>();
            for (String app : guest.apps) {
                apps.add(new PackageSpec.AppPolicy(app, null, FAILURE_WINDOW_MS, PackageSpec.Backoff.NONE));
            }
            wire.operatorFact(guest.id, new PackageApplied(new PackageSpec(guest.id, guest.hosts,
                    PackageSpec.FailoverPolicy.CONFIGURED_NODE, PackageSpec.FailbackPolicy.MANUAL, true, true, apps)));
        }
        wire.flush();
        if (!await(() -> guests.values().stream().allMatch(g -> g.running), SERVICE_READY)) {
            throw new IllegalStateException(guests.values().stream().filter(g -> !g.running).count()
                    + " guests were not started within " + SERVICE_READY.toSeconds() + " s; see " + settings.runDir().resolve("logs"));
        }
        return (System.nanoTime() - began) / 1e9;
    }

    /** Fails applications at the settings' rate, spread evenly, sampling the groups' lag every 2 s. */
    private void steady(Map<String, Long> maxLag) throws Exception {
        long periodNanos = settings.failuresPerSecond() > 0 ? (long) (1e9 / settings.failuresPerSecond()) : Long.MAX_VALUE;
        long end = System.nanoTime() + settings.steady().toNanos();
        // With no failures, never due (now + Long.MAX_VALUE would wrap around and fail one on every turn).
        long nextFailure = periodNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + periodNanos;
        long nextLag = System.nanoTime();
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            if (now >= nextFailure) {
                failOne(STEADY);
                nextFailure += periodNanos;
            }
            if (now >= nextLag) {
                lag.now().forEach((group, value) -> maxLag.merge(group, value, Math::max));
                nextLag = now + TimeUnit.SECONDS.toNanos(2);
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(0, Math.min(Math.min(nextFailure, nextLag), end) - System.nanoTime()));
        }
    }

    /** Fails the storm's share of all applications, spread over one second; returns how many. */
    private int storm() throws InterruptedException {
        int count = (int) Math.round(settings.storm() * settings.guests() * settings.apps());
        if (count == 0) {
            return 0;
        }
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + TimeUnit.SECONDS.toNanos(1) * i / count;
            TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
            failOne(STORM);
        }
        wire.flush();
        out.printf("storm: %d failures sent in %d ms%n", count, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return count;
    }

    /** Fails one application that is up, picked at random. */
    private void failOne(String phase) {
        List<SimGuest> all = new ArrayList<>(guests.values());
        for (int tries = 0; tries < 100; tries++) {
            SimGuest guest = all.get(random.nextInt(all.size()));
            if (reporters.fail(guest, random.nextInt(settings.apps()), phase)) {
                return;
            }
        }
    }

    /**
     * The rolling wave: requests a live migration of {@code --migrations} distinct guests, at most
     * {@code --migrations-in-flight} requested and not yet running on their new host, failing
     * applications at the steady rate meanwhile; then waits for every migration's contact check and
     * every failure of the wave, and measures.
     */
    private SimResult.Wave wave() throws Exception {
        int count = settings.migrations();
        if (count == 0) {
            return SimResult.Wave.NONE;
        }
        List<SimGuest> chosen = new ArrayList<>(guests.values().stream()
                .filter(g -> g.running && g.hosts.contains(g.host) && migratable(g)).toList());
        if (chosen.size() < count) {
            throw new IllegalStateException("--migrations " + count + ": only " + chosen.size() + " of the guests that may migrate "
                    + "run after the steady state; see " + settings.runDir().resolve("logs"));
        }
        Collections.shuffle(chosen, random);
        Deque<SimGuest> queue = new ArrayDeque<>(chosen.subList(0, count));
        Map<Decision.Action, Long> decisionsBefore = decisionCounts();
        long resetsBefore = failures.budgetResets();
        WatcherMetrics watcherBefore = watcherMetrics();
        long startMs = System.currentTimeMillis();
        long start = System.nanoTime();
        migrations.watchFrom(startMs);

        List<Migrations.Migration> inFlight = new ArrayList<>();
        long periodNanos = settings.failuresPerSecond() > 0 ? (long) (1e9 / settings.failuresPerSecond()) : Long.MAX_VALUE;
        long nextFailure = System.nanoTime() + periodNanos;
        String stoppedBy = null;
        try (OperatorLog operator = OperatorLog.open(KafkaClientSettings.plaintext(fleet.bootstrapServers()), fleet.topics().guestLog(),
                Duration.ofSeconds(30), fleet.keys().signer(new Principal(Role.OPERATOR, OPERATOR)), "fleet-sim-operator",
                new OperatorLog.Wording("the embedded broker", "", "the topic prefix"))) {
            while (!queue.isEmpty() || !inFlight.isEmpty()) {
                inFlight.removeIf(Migrations.Migration::running);
                long now = System.currentTimeMillis();
                Optional<Migrations.Migration> late = inFlight.stream()
                        .filter(m -> m.requestedAt > 0 && now - m.requestedAt > MIGRATION_DEADLINE.toMillis()).findFirst();
                if (late.isPresent()) {
                    stoppedBy = late.get().guest + " was not running on " + late.get().to + " " + MIGRATION_DEADLINE.toSeconds()
                            + " s after its migration was requested; see " + settings.runDir().resolve("logs");
                    break;
                }
                while (inFlight.size() < settings.migrationsInFlight() && !queue.isEmpty()) {
                    inFlight.add(request(operator, queue.poll()));
                }
                if (periodNanos != Long.MAX_VALUE && System.nanoTime() - nextFailure >= 0) {
                    failOne(WAVE);
                    nextFailure += periodNanos;
                }
                long poll = TimeUnit.MILLISECONDS.toNanos(10);
                TimeUnit.NANOSECONDS.sleep(Math.max(0, periodNanos == Long.MAX_VALUE ? poll : Math.min(nextFailure - System.nanoTime(), poll)));
            }
        }
        wire.flush();
        out.printf("migration wave: %d requested, the last running on its new host after %.1f s%n", count - queue.size(),
                (System.nanoTime() - start) / 1e9);
        List<Migrations.Migration> all = migrations.all();
        await(() -> all.stream().allMatch(m -> m.reboundAt > 0 || m.contactLost || !m.running())
                && waveFailures().stream().allMatch(Failures.Failure::applied), Duration.ofSeconds(60));
        // The watcher counts a check verified once it has read the rebound: a moment after it is appended.
        long running = all.stream().filter(Migrations.Migration::running).count();
        await(() -> watcherMetrics().count() - watcherBefore.count() >= running, Duration.ofSeconds(30));
        long endMs = System.currentTimeMillis();
        double seconds = (System.nanoTime() - start) / 1e9;
        WatcherMetrics watcher = watcherMetrics();

        List<Failures.Failure> waveFailures = waveFailures();
        Map<String, Long> decisions = new TreeMap<>();
        decisionCounts().forEach((action, n) -> {
            long during = n - decisionsBefore.getOrDefault(action, 0L);
            if (during > 0) {
                decisions.put(action.name(), during);
            }
        });
        boolean readable = watcher.count() >= 0 && watcherBefore.count() >= 0;
        return new SimResult.Wave(all.size(), settings.migrationsInFlight(), seconds,
                Percentiles.of(all.stream().filter(m -> m.startedAt > 0 && m.requestedAt > 0).map(m -> m.startedAt - m.requestedAt).toList()),
                Percentiles.of(all.stream().filter(m -> m.running() && m.requestedAt > 0).map(m -> m.completedAt - m.requestedAt).toList()),
                Percentiles.of(all.stream().filter(m -> m.running() && m.verified()).map(m -> m.reboundAt - m.completedAt).toList()),
                (int) running, (int) all.stream().filter(Migrations.Migration::verified).count(),
                readable ? Math.round(watcher.count() - watcherBefore.count()) : -1, watcher.meanMs(), watcher.p99BoundMs(),
                (int) all.stream().filter(m -> m.rebinds.get() > 1).count(),
                waveFailures.size(), (int) all.stream().filter(m -> m.failedWhileMigrating).count(),
                (int) all.stream().filter(m -> m.failedJustAfter).count(),
                (int) waveFailures.stream().filter(f -> !f.decided()).count(), (int) waveFailures.stream().filter(f -> !f.applied()).count(),
                failures.budgetResets() - resetsBefore, migrations.lost(startMs, endMs).size(),
                readable ? Math.round(watcher.escalations() - watcherBefore.escalations()) : -1, decisions, stoppedBy);
    }

    /** Whether {@code guest} may be in the wave: its package lists none of the hosts to be lost. */
    private boolean migratable(SimGuest guest) {
        return guest.hosts.stream().noneMatch(hosts.subList(0, settings.hostLoss())::contains);
    }

    /** Asks, as the operator, to live-migrate {@code guest} to its package's other host. */
    private Migrations.Migration request(OperatorLog operator, SimGuest guest) throws OperatorLog.KafkaUnavailableException {
        String from = guest.host;
        String to = guest.hosts.stream().filter(h -> !h.equals(from)).findFirst().orElseThrow();
        Migrations.Migration migration = migrations.requesting(guest.id, from, to);
        OperatorLog.Written written = operator.tell(guest.id, GuestAction.MIGRATE.request(to, OPERATOR), OPERATOR);
        migration.requestedAt = written.where().timestamp(); // the guest log is LogAppendTime: the broker's append time
        return migration;
    }

    /** The failures injected during the wave: its steady ones and those of migrating and just-migrated guests. */
    private List<Failures.Failure> waveFailures() {
        return failures.all().stream().filter(f -> f.phase.equals(WAVE) || f.phase.startsWith(WAVE + "-")).toList();
    }

    /** Fails one application of {@code guest} that is up, trying each in turn; false if none is. */
    private boolean failAny(SimGuest guest, String phase) {
        int first = Math.floorMod(guest.id.hashCode() + phase.hashCode(), settings.apps());
        for (int i = 0; i < settings.apps(); i++) {
            if (reporters.fail(guest, (first + i) % settings.apps(), phase)) {
                return true;
            }
        }
        return false;
    }

    private Map<Decision.Action, Long> decisionCounts() {
        Map<Decision.Action, Long> counts = new EnumMap<>(Decision.Action.class);
        for (Decision.Action action : Decision.Action.values()) {
            counts.put(action, failures.decisions(action));
        }
        return counts;
    }

    /**
     * Every engine's own histogram of a fact's append to its decision ({@code guestguard_decision_latency_seconds}),
     * summed: the part of a fact's wait spent before the engine decided, where the simulator's figure also holds
     * the engine's commit and the simulator's read. An engine whose page cannot be read adds nothing.
     */
    private PrometheusHistogram engineLatency() {
        PrometheusHistogram all = PrometheusHistogram.EMPTY;
        for (ServiceProcess engine : fleet.engines().values()) {
            String url = fleet.metricsUrl(engine);
            try {
                all = all.plus(PrometheusHistogram.of(MetricsPage.scrape(URI.create(url)).text(), ENGINE_LATENCY, ""));
            } catch (UncheckedIOException e) {
                out.printf("the engine's metrics at %s could not be read: %s%n", url, e.getMessage());
            }
        }
        return all;
    }

    private WatcherMetrics watcherMetrics() {
        return WatcherMetrics.read(fleet.watcherMetricsUrl());
    }

    private long stormAllApplied() {
        List<Failures.Failure> storm = failures.of(STORM);
        if (storm.isEmpty() || !storm.stream().allMatch(Failures.Failure::applied)) {
            return -1;
        }
        long first = storm.stream().mapToLong(f -> f.failedAt).min().orElseThrow();
        return storm.stream().mapToLong(f -> f.appliedAt).max().orElseThrow() - first;
    }

    private static Percentiles decisionLatency(List<Failures.Failure> of) {
        return Percentiles.of(of.stream().filter(f -> f.decided() && f.failedAt > 0).map(f -> f.decidedSeenAt - f.failedAt).toList());
    }

    private static Percentiles appliedLatency(List<Failures.Failure> of) {
        return Percentiles.of(of.stream().filter(f -> f.applied() && f.failedAt > 0).map(f -> f.appliedAt - f.failedAt).toList());
    }

    private List<List<SimGuest>> slices() {
        List<List<SimGuest>> slices = new ArrayList<>();
        for (int i = 0; i < BEAT_SLICES; i++) {
            slices.add(new ArrayList<>());
        }
        int n = 0;
        for (SimGuest guest : guests.values()) {
            slices.get(n++ % BEAT_SLICES).add(guest);
        }
        return slices;
    }

    /** Each service's CPU time and memory now, and the simulator's own (with the broker it runs). */
    private Map<String, ProcessUsage> usage() {
        Map<String, ProcessUsage> usage = new LinkedHashMap<>();
        List<ServiceProcess> services = new ArrayList<>(fleet.engines().values());
        services.addAll(fleet.watchers().values());
        services.forEach(s -> usage.put(s.name(), ProcessUsage.of(s.processTree())));
        usage.put("simulator+broker", ProcessUsage.self());
        return usage;
    }

    private static Map<String, SimResult.Usage> cost(Map<String, ProcessUsage> before, Map<String, ProcessUsage> after, long ms) {
        return after.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> new SimResult.Usage(
                100.0 * (e.getValue().cpuMillis() - before.get(e.getKey()).cpuMillis()) / ms, e.getValue().rssKib() / 1024),
                (a, b) -> a, LinkedHashMap::new));
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; whether it held. */
    private static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50); // polling what the reader thread records; the deadline bounds it
        }
        return true;
    }

    void closeQuietly() {
        try {
            close();
        } catch (Exception e) {
            out.println("could not stop the simulated fleet cleanly: " + e);
        }
    }

    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        beats.shutdownNow();
        try {
            reader.close();
            lag.close();
            wire.close();
        } finally {
            fleet.close();
        }
    }
}
