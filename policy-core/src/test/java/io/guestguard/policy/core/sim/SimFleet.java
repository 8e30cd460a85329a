package io.guestguard.policy.core.sim;

import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.GuestHaltFailed;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.GuestStartFailed;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostAvailable;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.RefusalReason;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.StartApp;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.StopApp;
import io.guestguard.protocol.admission.StartAdmission;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A fleet that behaves as the design says supervisors, reporters and the detector do, driving the
 * real decider with the facts they would write: the property tests script faults into it to reach
 * failover, fencing and migration paths instead of only noise; the benchmarks let it run without
 * host faults to get realistic mixes. It models:
 * <ul>
 *   <li>each guest's facts as one log, read by the decider in order, at the pace the caller chooses
 *       ({@link #read}) or as soon as they are written ({@link #readAtOnce});</li>
 *   <li>{@code placements.v1}: after every fact the placement the decider's outcome holds (host,
 *       epoch, real {@link io.guestguard.protocol.PlacementPhase phase}, failures) is published when
 *       it changed, as the engine writes it in the same transaction as the commands;</li>
 *   <li>shared hosts, each with a supervisor that reads its commands in order: it starts a guest only
 *       on {@code StartGuest}, admitted as the real supervisor does, by {@link StartAdmission}'s
 *       placement rules against the published placement (a start queued for a host before the guest
 *       was placed elsewhere, or whose placement is no longer starting, must not run); it halts on
 *       {@code HaltGuest} and live-migrates on {@code MigrateGuest} (when the guest runs there as the
 *       command's epoch), refusing epochs older than the published one, and sometimes fails (start,
 *       halt, fence hook, migration). Every refusal, and a fence hook that did not confirm, is
 *       answered with {@code command-refused} stamped with the command's epoch. Its second-runner
 *       rules are not simulated (no beats): a decider that would make a second runner must show it
 *       in {@link #runners}, not be saved by that guard;</li>
 *   <li>a fence powers the lost host off, killing every guest on it, and is confirmed with the fence
 *       command's epoch; a crash kills what ran there; a partition leaves its guests running on a
 *       host nobody can reach;</li>
 *   <li>a host's commands wait in its topic while it is down or cut off; a supervisor that was cut
 *       off reads them when it is back (refusing stale epochs as usual), one that was powered off
 *       re-syncs from the published placements when it boots and skips what was queued (executing a
 *       start queued before a crash could start a second runner: that is the supervisor's guard,
 *       which no decider can provide);</li>
 *   <li>each guest's reporter, which starts the package's applications when the guest starts (all
 *       but those an operator stopped), restarts one on {@code RestartApp}, stops one on
 *       {@code StopApp} (reported {@code app.stopped}; it stays stopped, across moves too, until a
 *       {@code StartApp} or {@code RestartApp}) and starts it again on {@code StartApp} unless it
 *       runs; its facts carry the running placement's epoch;</li>
 *   <li>the detector, which reports every host that dies or is cut off as lost, and every host that
 *       comes back as available, to every guest (the engine's tells only the guests placed there:
 *       telling all covers more of the decider); the loss of a host that a fence powered off carries
 *       the fence command's epoch;</li>
 *   <li>live migrations, by themselves or on the decider's {@code MigrateGuest}, moving the running
 *       guest to another host as the next epoch.</li>
 * </ul>
 * Work for a supervisor or reporter is served in queue order ({@link #serve}) or when due by the
 * fleet's clock ({@link #serveNext}: a start takes seconds, a restart its backoff), so timed runs come
 * in a realistic order. Everything is deterministic for a seed.
 */
public final class SimFleet {

    public enum Status { UP, CRASHED, FENCED, PARTITIONED }

    /** Reads one fact of a guest's log in the guest's state: the decider, or a harness around it. */
    @FunctionalInterface
    public interface Reader {
        Outcome read(GuestState state, CloudEvent<Fact> fact);
    }

    private final Instant t0;
    private final Random random;
    private final boolean uuids;
    private final Reader reader;
    private final Consumer<String> notes;
    private final Map<String, Status> status = new TreeMap<>();
    private final Map<String, Deque<Work>> hostQueues = new TreeMap<>();
    private final Map<String, Guest> guests = new LinkedHashMap<>();
    /** Every queued work item by when it is due, then in the order it was queued; served ones are skipped. */
    private final PriorityQueue<Work> due = new PriorityQueue<>(Comparator.comparingLong((Work w) -> w.dueMs)
            .thenComparingLong(w -> w.order));
    private final List<CloudEvent<Fact>> given = new ArrayList<>();
    private boolean readAtOnce;
    private long clockMs;
    private long nextPid = 1000;
    private long order;
    private int seq;

    /**
     * @param t0     the time of the fleet's clock 0
     * @param seed   makes the work's timing, the failures' kinds and (with {@code uuids}) the ids the same on every run
     * @param uuids  fact ids are random UUIDs, as long as the reporters' (else short ids w0, w1..., for readable traces)
     * @param reader reads each guest's facts
     * @param notes  what the fleet did, in words, for a trace
     */
    public SimFleet(Instant t0, long seed, boolean uuids, Reader reader, Consumer<String> notes) {
        this.t0 = t0;
        this.random = new Random(seed);
        this.uuids = uuids;
        this.reader = reader;
        this.notes = notes;
    }

    // ---- set-up and the operator ----

    /** Adds hosts (up, with empty command queues); a package's hosts are added when it is applied. */
    public SimFleet hosts(Collection<String> names) {
        names.forEach(h -> {
            status.putIfAbsent(h, Status.UP);
            hostQueues.computeIfAbsent(h, k -> new ArrayDeque<>());
        });
        return this;
    }

    /** Whether the decider reads every fact as soon as it is written, not on {@link #read}. */
    public SimFleet readAtOnce(boolean atOnce) {
        this.readAtOnce = atOnce;
        return this;
    }

    /** An operator applies {@code spec}: the guest (and its hosts) join the fleet. */
    public void apply(PackageSpec spec) {
        hosts(spec.hosts());
        Guest g = guests.computeIfAbsent(spec.guest(), Guest::new);
        g.spec = spec;
        write(g, "/operator/cli", null, null, new PackageApplied(spec));
    }

    public void operator(String guest, OperatorRequest request) {
        write(guests.get(guest), "/operator/cli", null, null, request);
    }

    // ---- the fleet's clock and what is known of it ----

    public Random random() {
        return random;
    }

    public void advance(long ms) {
        clockMs += ms;
    }

    /** Every fact the decider read, in order (resent ones again): the input a replay must reproduce. */
    public List<CloudEvent<Fact>> given() {
        return given;
    }

    public Collection<String> guestIds() {
        return guests.keySet();
    }

    public GuestState state(String guest) {
        return guests.get(guest).state;
    }

    public Status status(String host) {
        return status.get(host);
    }

    /** The hosts in {@code wanted} status, by name. */
    public List<String> hosts(Status wanted) {
        return status.entrySet().stream().filter(e -> e.getValue() == wanted).map(Map.Entry::getKey).toList();
    }

    /** Where the guest really runs, host to epoch: two entries are two runners. */
    public Map<String, Long> runners(String guest) {
        return guests.get(guest).running;
    }

    /** A host that is up and runs the guest, or null. */
    public String runningUpHost(String guest) {
        return guests.get(guest).running.keySet().stream().filter(h -> status.get(h) == Status.UP).findFirst().orElse(null);
    }

    /** The applications the guest's reporter runs, app to pid. */
    public Map<String, Long> runningApps(String guest) {
        return guests.get(guest).pids;
    }

    /** The applications an operator stopped in the guest, which stay stopped until started. */
    public Set<String> stoppedApps(String guest) {
        return guests.get(guest).stopped;
    }

    // ---- the decider's side ----

    /** The decider reads the guest's next fact, if any. */
    public boolean read(String guest) {
        Guest g = guests.get(guest);
        CloudEvent<Fact> fact = g.log.poll();
        if (fact == null) {
            return false;
        }
        Outcome outcome = reader.read(g.state, fact);
        given.add(fact);
        GuestPlacement before = placementOf(g.state);
        g.state = outcome.state();
        GuestPlacement after = placementOf(g.state);
        if (!after.equals(before)) {
            g.published = after; // placements.v1, in the transaction that sends the commands
        }
        for (CloudEvent<Command> c : outcome.commands()) {
            String host = c.data() instanceof HostCommand hc ? hc.host() : null;
            if (host != null) {
                hosts(List.of(host));
            }
            g.lastDueMs = Math.max(clockMs, g.lastDueMs) + delayOf(c.data());
            enqueue(host == null ? g.reporter : hostQueues.get(host), new Work(g, host, c, null, g.lastDueMs));
        }
        return true;
    }

    /** The engine's placement of a state, as on {@code placements.v1}. */
    private static GuestPlacement placementOf(GuestState state) {
        return io.guestguard.policy.core.PlacementRecord.of(state);
    }

    /**
     * How long carrying out a command takes, in fleet time: a restart its backoff and 10 to 100 ms of
     * work, a guest boots in 2 to 5 s, a halt takes a second or so, the rest a few ms.
     */
    private long delayOf(Command command) {
        if (command instanceof RestartApp r) {
            return r.delayMs() + 10 + random.nextInt(90);
        } else if (command instanceof StartGuest) {
            return 2000 + random.nextInt(3000);
        } else if (command instanceof HaltGuest) {
            return 500 + random.nextInt(1000);
        }
        return 10 + random.nextInt(90);
    }

    // ---- serving work ----

    /** Queues with work that can be served now: hosts that are up, by name, then the reporters. */
    public List<String> busyQueues() {
        List<String> busy = new ArrayList<>();
        hostQueues.forEach((h, q) -> {
            if (!q.isEmpty() && status.get(h) == Status.UP) {
                busy.add(h);
            }
        });
        guests.values().forEach(g -> {
            if (!g.reporter.isEmpty()) {
                busy.add(reporterQueue(g.id));
            }
        });
        return busy;
    }

    /** The name of a guest's reporter queue in {@link #busyQueues}. */
    private static String reporterQueue(String guest) {
        return "reporter:" + guest;
    }

    /** The supervisor or reporter of {@code queue} carries out its next work item, failing if {@code fail}. */
    public void serve(String queue, boolean fail) {
        Deque<Work> q = queue.startsWith("reporter:") ? guests.get(queue.substring(9)).reporter : hostQueues.get(queue);
        Work w = q.poll();
        w.done = true;
        carryOut(w, fail);
    }

    /** Whether work is due by the fleet's clock and can be served. */
    public boolean hasDueWork() {
        Work next = nextServable();
        return next != null && next.dueMs <= clockMs;
    }

    /** Serves the work due first that can be served, moving the clock on to when it is due. */
    public boolean serveNext() {
        Work w = nextServable();
        if (w == null) {
            return false;
        }
        due.remove(w);
        (w.host == null ? w.guest.reporter : hostQueues.get(w.host)).remove(w);
        w.done = true;
        clockMs = Math.max(clockMs, w.dueMs);
        carryOut(w, false);
        return true;
    }

    /** Serves (and, unless the decider reads at once, reads) until nothing is left to do. */
    public void serveAll() {
        while (serveNext()) {
            // each step may queue more
        }
    }

    /** Forgets all queued work, as if the supervisors and reporters never got to it. */
    public void dropWork() {
        due.clear();
        hostQueues.values().forEach(Deque::clear);
        guests.values().forEach(g -> g.reporter.clear());
    }

    private Work nextServable() {
        while (!due.isEmpty() && due.peek().done) {
            due.poll();
        }
        if (due.isEmpty() || reachable(due.peek())) {
            return due.peek();
        }
        return due.stream().filter(w -> !w.done && reachable(w))
                .min(Comparator.comparingLong((Work w) -> w.dueMs).thenComparingLong(w -> w.order)).orElse(null);
    }

    private boolean reachable(Work w) {
        return w.host == null || status.get(w.host) == Status.UP;
    }

    private void enqueue(Deque<Work> queue, Work w) {
        w.order = order++;
        queue.add(w);
        due.add(w);
    }

    private void carryOut(Work w, boolean fail) {
        if (w.host == null) {
            report(w);
            return;
        }
        Guest g = w.guest;
        String host = w.host;
        CloudEvent<Command> c = w.command;
        if (c.data() instanceof StartGuest sg) {
            Optional<StartAdmission.Refusal> refused = new StartAdmission(host).placement(g.id, sg.epoch(),
                    Optional.ofNullable(g.published));
            if (refused.isPresent()) {
                refuse(g, host, c, sg.epoch(), refused.get().reason(), refused.get().detail());
                return;
            }
            if (fail) {
                write(g, supervisor(host), host, sg.epoch(), new GuestStartFailed(host, "not enough memory"));
                return;
            }
            g.running.put(host, sg.epoch());
            notes.accept(host + " starts " + g.id + " as epoch " + sg.epoch() + (g.running.size() > 1
                    ? ", but it also runs on " + g.running : ""));
            write(g, supervisor(host), host, sg.epoch(), new GuestStarted(host));
            boot(g);
        } else if (c.data() instanceof HaltGuest hg) {
            Optional<StartAdmission.Refusal> stale = StartAdmission.stale(g.id, hg.epoch(), Optional.ofNullable(g.published));
            if (stale.isPresent()) {
                refuse(g, host, c, hg.epoch(), stale.get().reason(), stale.get().detail());
                return;
            }
            if (fail && g.running.containsKey(host)) {
                write(g, supervisor(host), host, hg.epoch(), new GuestHaltFailed(host, "guest does not shut down"));
                return;
            }
            abortMigration(g, host);
            stopOn(g, host);
            write(g, supervisor(host), host, hg.epoch(), new GuestHalted(host));
        } else if (c.data() instanceof MigrateGuest mg) {
            migrate(g, host, c, mg, fail);
        } else if (c.data() instanceof FenceHost fh) {
            if (fail) {
                refuse(g, host, c, c.epoch(), RefusalReason.FENCE_NOT_CONFIRMED, "the fence hook did not confirm that "
                        + fh.lostHost() + " is off");
                return;
            }
            boolean wasUp = status.get(fh.lostHost()) == Status.UP;
            powerOff(fh.lostHost(), Status.FENCED, "fenced by " + host);
            // Stamped with the fence command's epoch, as a supervisor does: a confirmation that arrives
            // after the guest was placed again answers an older fence and must not release the new placement.
            write(g, supervisor(host), host, c.epoch(), new HostFenced(fh.lostHost()));
            if (wasUp) {
                // The loss of a host that was up until fenced is about the placement that was fenced:
                // stamped with its epoch, it cannot end a newer placement should the host be back
                // and run the guest again before the decider reads it.
                detect(fh.lostHost(), new HostLost(fh.lostHost()), g, c.epoch());
            }
        }
    }

    /**
     * A supervisor's live migration: only of the placement it runs, as the command's epoch, and not
     * while another migration is under way. It answers migration.started, then migration.completed
     * (the guest runs on the target as the next epoch) or migration.failed (the target is not up, or
     * it simply failed); every fact is stamped with the command's epoch and names the source host.
     */
    private void migrate(Guest g, String host, CloudEvent<Command> c, MigrateGuest mg, boolean fail) {
        Long runs = g.running.get(host);
        if (runs == null || runs != mg.epoch()) {
            refuse(g, host, c, mg.epoch(), RefusalReason.NOT_RUNNING_HERE, runs == null ? "the guest does not run on " + host
                    : "the guest runs on " + host + " as epoch " + runs + ", not " + mg.epoch());
            return;
        }
        if (g.migrationFrom != null) {
            // No typed reason: a real supervisor has no such rule (its hypervisor fails the second migration).
            refuse(g, host, c, mg.epoch(), null, "a migration " + g.migrationFrom + " -> " + g.migrationTo + " is under way");
            return;
        }
        write(g, supervisor(host), host, mg.epoch(), new MigrationStarted(host, mg.target()));
        if (fail || status.get(mg.target()) != Status.UP) {
            write(g, supervisor(host), host, mg.epoch(), new MigrationFailed(host, mg.target(), fail ? "target refused"
                    : "target unreachable"));
            return;
        }
        g.running.remove(host);
        g.running.put(mg.target(), mg.epoch() + 1);
        notes.accept(host + " migrates " + g.id + " to " + mg.target() + " as epoch " + (mg.epoch() + 1));
        write(g, supervisor(host), host, mg.epoch(), new MigrationCompleted(host, mg.target()));
    }

    private void refuse(Guest g, String host, CloudEvent<Command> c, Long epoch, RefusalReason reason, String why) {
        notes.accept(host + " refuses " + c.id() + ": " + why);
        write(g, supervisor(host), host, epoch, new CommandRefused(host, c.id(), c.data().kind(), reason, why));
    }

    // ---- the reporters ----

    /** The guest started: its reporter starts every application not stopped on purpose. */
    private void boot(Guest g) {
        if (g.spec == null) {
            return;
        }
        g.spec.applications().forEach(app -> {
            g.lastDueMs = Math.max(clockMs, g.lastDueMs) + 10 + random.nextInt(90);
            enqueue(g.reporter, new Work(g, null, null, app.name(), g.lastDueMs));
        });
    }

    /**
     * The reporter carries out a command (or starts an application as the guest boots), if the guest
     * runs on a host that is up: otherwise there is nobody to do it.
     */
    private void report(Work w) {
        Guest g = w.guest;
        String host = runningUpHost(g.id);
        if (host == null) {
            return;
        }
        long epoch = g.running.get(host);
        if (w.command == null) {
            // Already running: a boot after a restart elsewhere, or a StartApp, came first.
            if (!g.stopped.contains(w.app) && !g.pids.containsKey(w.app)) {
                appStarted(g, w.app, epoch);
            }
        } else if (w.command.data() instanceof RestartApp r) {
            g.stopped.remove(r.app());
            appStarted(g, r.app(), epoch);
        } else if (w.command.data() instanceof StopApp s) {
            g.stopped.add(s.app());
            Long pid = g.pids.remove(s.app());
            notes.accept(g.id + "'s reporter stops " + s.app() + (pid == null ? ", which does not run" : ""));
            if (pid != null) {
                write(g, reporter(g.id), null, epoch, new AppStopped(s.app(), pid));
            }
        } else if (w.command.data() instanceof StartApp s) {
            g.stopped.remove(s.app());
            if (!g.pids.containsKey(s.app())) {
                appStarted(g, s.app(), epoch);
            }
        }
    }

    private void appStarted(Guest g, String app, long epoch) {
        long pid = nextPid++;
        g.pids.put(app, pid);
        g.lastPids.put(app, pid);
        write(g, reporter(g.id), null, epoch, new AppStarted(app, pid));
    }

    // ---- faults ----

    /**
     * {@code app} of the guest fails, if the guest runs on a host that is up and the application was
     * not stopped on purpose: as a new process ({@code samePid}: the last one reported again, under a
     * new fact id), killed by {@code signal} (null: it exits with 1); {@code stamped}: the fact
     * carries the placement's epoch.
     */
    public boolean appFails(String guest, String app, boolean samePid, boolean stamped, String signal) {
        Guest g = guests.get(guest);
        String host = runningUpHost(guest);
        if (host == null || g.stopped.contains(app)) {
            return false;
        }
        Long running = g.pids.remove(app);
        Long last = g.lastPids.get(app);
        long pid = samePid && last != null ? last : running != null ? running : nextPid++;
        g.lastPids.put(app, pid);
        write(g, reporter(guest), null, stamped ? g.running.get(host) : null,
                signal == null ? AppFailed.exited(app, pid, 1) : AppFailed.killed(app, pid, signal));
        return true;
    }

    /** The guest itself goes down where it runs (on an up host). */
    public boolean guestCrashes(String guest) {
        Guest g = guests.get(guest);
        String host = runningUpHost(guest);
        if (host == null) {
            return false;
        }
        abortMigration(g, host);
        long epoch = g.running.get(host);
        stopOn(g, host);
        notes.accept(guest + " crashed on " + host);
        write(g, supervisor(host), host, epoch, new GuestHalted(host));
        return true;
    }

    /** A host dies with every guest on it; the detector reports it lost. */
    public void crash(String host) {
        powerOff(host, Status.CRASHED, "crashed");
        detect(host, new HostLost(host));
    }

    /** A host is cut off (its guests keep running there); the detector reports it lost. */
    public void partition(String host) {
        status.put(host, Status.PARTITIONED);
        guests.values().forEach(g -> abortMigration(g, host));
        notes.accept(host + " is cut off" + (guests.values().stream().anyMatch(g -> g.running.containsKey(host))
                ? ", its guests still run there" : ""));
        detect(host, new HostLost(host));
    }

    /**
     * A crashed, fenced or cut-off host is back; one that was powered off skips the commands queued
     * meanwhile (it re-syncs from the published placements instead).
     */
    public void recover(String host) {
        Deque<Work> queue = hostQueues.get(host);
        if (status.get(host) != Status.PARTITIONED && !queue.isEmpty()) {
            notes.accept(host + " boots and skips its " + queue.size() + " queued command(s)");
            queue.forEach(w -> w.done = true);
            queue.clear();
        }
        status.put(host, Status.UP);
        notes.accept(host + " is back" + (guests.values().stream().anyMatch(g -> g.running.containsKey(host))
                ? ", still running a guest" : ""));
        detect(host, new HostAvailable(host));
    }

    /** A live migration of the guest from where it runs (up) to {@code to} begins by itself. */
    public boolean migrationBegins(String guest, String to) {
        Guest g = guests.get(guest);
        String from = runningUpHost(guest);
        if (from == null || g.migrationFrom != null) {
            return false;
        }
        g.migrationFrom = from;
        g.migrationTo = to;
        g.migrationEpoch = g.running.get(from);
        write(g, supervisor(from), from, g.migrationEpoch, new MigrationStarted(from, to));
        return true;
    }

    /** The guest's live migration under way ends: it fails, or the guest runs on the target as the next epoch. */
    public void migrationEnds(String guest, boolean fail) {
        Guest g = guests.get(guest);
        if (g.migrationFrom == null) {
            return;
        }
        String from = g.migrationFrom;
        String to = g.migrationTo;
        g.migrationFrom = null;
        if (fail) {
            write(g, supervisor(from), from, g.migrationEpoch, new MigrationFailed(from, to, "target refused"));
        } else {
            g.running.remove(from);
            g.running.put(to, g.migrationEpoch + 1);
            write(g, supervisor(to), to, g.migrationEpoch, new MigrationCompleted(from, to));
        }
    }

    /** An outbox resends one of the guest's latest facts ({@code back} from the newest) with its original id. */
    public void resend(String guest, int back) {
        Guest g = guests.get(guest);
        if (g.recent.isEmpty()) {
            return;
        }
        List<CloudEvent<Fact>> recent = new ArrayList<>(g.recent);
        CloudEvent<Fact> again = recent.get(recent.size() - 1 - back % recent.size());
        notes.accept("resends " + again.id());
        g.log.add(again);
        if (readAtOnce) {
            readAll(g);
        }
    }

    private void powerOff(String host, Status now, String why) {
        status.put(host, now);
        guests.values().forEach(g -> {
            abortMigration(g, host);
            Long epoch = g.running.get(host);
            stopOn(g, host);
            notes.accept(host + " " + why + (epoch == null ? "" : ", killing " + g.id + " (epoch " + epoch + ")"));
        });
        if (guests.isEmpty()) {
            notes.accept(host + " " + why);
        }
    }

    /** The guest no longer runs on {@code host}; with it go its applications, if it runs nowhere else. */
    private void stopOn(Guest g, String host) {
        g.running.remove(host);
        if (g.running.isEmpty()) {
            g.pids.clear();
        }
    }

    private void abortMigration(Guest g, String host) {
        if (g.migrationFrom != null && (host.equals(g.migrationFrom) || host.equals(g.migrationTo))) {
            write(g, supervisor(g.migrationFrom), g.migrationFrom, g.migrationEpoch,
                    new MigrationFailed(g.migrationFrom, g.migrationTo, "aborted"));
            g.migrationFrom = null;
        }
    }

    private void detect(String host, Fact fact) {
        detect(host, fact, null, null);
    }

    /** Tells every guest {@code fact} about {@code host}; {@code stamped}'s fact carries {@code epoch}. */
    private void detect(String host, Fact fact, Guest stamped, Long epoch) {
        guests.values().forEach(g -> write(g, "/policy-engine/host-detector", host, g == stamped ? epoch : null, fact));
    }

    // ---- the logs ----

    private void write(Guest g, String source, String host, Long epoch, Fact data) {
        CloudEvent<Fact> fact = new CloudEvent<>(uuids ? uuid() : "w" + seq++, source, t0.plusMillis(clockMs), g.id, null,
                host, epoch, data);
        g.log.add(fact);
        g.recent.add(fact);
        if (g.recent.size() > 8) {
            g.recent.poll();
        }
        if (readAtOnce) {
            readAll(g);
        }
    }

    private void readAll(Guest g) {
        while (read(g.id)) {
            // the decider keeps up with the log
        }
    }

    /** Random (version 4) UUIDs from the seeded generator: as long as the reporters' fact ids. */
    private String uuid() {
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }

    private static String reporter(String guest) {
        return "/guest/" + guest + "/reporter";
    }

    private static String supervisor(String host) {
        return "/host/" + host + "/supervisor";
    }

    private static final class Guest {
        final String id;
        PackageSpec spec;
        GuestState state = GuestState.EMPTY;
        /** The guest's newest placement on placements.v1, as every supervisor reads it; null before the first. */
        GuestPlacement published;
        final Deque<CloudEvent<Fact>> log = new ArrayDeque<>();
        /** The latest facts written, for an outbox that resends one. */
        final Deque<CloudEvent<Fact>> recent = new ArrayDeque<>();
        final Deque<Work> reporter = new ArrayDeque<>();
        /** Where the guest really runs, host to epoch. */
        final Map<String, Long> running = new TreeMap<>();
        /** The applications running, app to pid, as the reporter knows them. */
        final Map<String, Long> pids = new TreeMap<>();
        /** The pid each application last ran (or failed) as, for a failure reported again. */
        final Map<String, Long> lastPids = new TreeMap<>();
        /** Applications an operator stopped: they stay stopped until started. */
        final Set<String> stopped = new TreeSet<>();
        String migrationFrom;
        String migrationTo;
        long migrationEpoch;
        /** When the guest's last queued work is due: its next comes after it, so its answers keep their order. */
        long lastDueMs;

        Guest(String id) {
            this.id = id;
        }
    }

    /** A command queued for a supervisor ({@code host}) or reporter, or an application to start as the guest boots. */
    private static final class Work {
        final Guest guest;
        final String host;
        final CloudEvent<Command> command;
        final String app;
        final long dueMs;
        long order;
        boolean done;

        Work(Guest guest, String host, CloudEvent<Command> command, String app, long dueMs) {
            this.guest = guest;
            this.host = host;
            this.command = command;
            this.app = app;
            this.dueMs = dueMs;
        }
    }
}
