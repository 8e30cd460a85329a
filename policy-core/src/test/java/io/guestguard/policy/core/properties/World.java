package io.guestguard.policy.core.properties;

import io.guestguard.policy.core.FleetView;
import io.guestguard.policy.core.Outcome;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.GuestHaltFailed;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.GuestHalted;
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
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RefusalReason;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.admission.StartAdmission;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A small fleet that behaves as the design says supervisors, reporters and detectors do, so that a
 * run reaches failover, fencing and migration paths instead of only noise:
 * <ul>
 *   <li>the guest's facts form one log, read by the decider in order and at its own pace;</li>
 *   <li>each host's supervisor reads its commands in order: it starts the guest only on
 *       {@code StartGuest}, halts it on {@code HaltGuest}, live-migrates it on {@code MigrateGuest}
 *       when the guest runs there as the command's epoch, refuses epochs older than one it has seen,
 *       and admits a start as the real supervisor does, by {@link StartAdmission}'s placement rules
 *       against the newest placement (which it reads from {@code placements.v1}: a start queued for a
 *       host before the guest was placed elsewhere must not run), and sometimes fails (start failed, halt failed, fence hook failed, migration failed).
 *       Every refusal, and a fence hook that did not confirm, is answered with {@code command-refused}
 *       stamped with the command's epoch;</li>
 *   <li>a fence powers the lost host off and is confirmed with the fence command's epoch; a crash
 *       kills what ran there; a partition leaves the guest
 *       running on a host nobody can reach. A package with {@code wait_for_fence=false} has declared
 *       that its lost hosts are dead: in its world there are no partitions and a crashed host stays
 *       down (were it back before the decider read that it was lost, it could still carry out a start
 *       sent to it, which is the risk that package chose);</li>
 *   <li>a host's commands wait in its topic while it is down or cut off; a supervisor that was cut
 *       off reads them when it is back (refusing stale epochs as usual), one that was powered off
 *       re-syncs from the current placement when it boots and skips what was queued (executing a
 *       start queued before a crash could start a second runner: that is the supervisor's guard,
 *       which no decider can provide);</li>
 *   <li>the detector reports every host that dies or is cut off as lost, and every host that comes
 *       back as available;</li>
 *   <li>live migrations, by themselves or on the decider's {@code MigrateGuest}, move the running guest
 *       to another host as the next epoch.</li>
 * </ul>
 * After every move it checks that no two hosts run the guest.
 */
final class World {

    enum Status { UP, CRASHED, FENCED, PARTITIONED }

    private static final String REPORTER = "guest";

    private final PackageSpec spec;
    private final List<FleetView> views;
    private final Run run;
    private final Deque<CloudEvent<Fact>> log = new ArrayDeque<>();
    private final List<CloudEvent<Fact>> written = new ArrayList<>();
    private final List<CloudEvent<Fact>> given = new ArrayList<>();
    private final Map<String, Deque<CloudEvent<Command>>> queues = new TreeMap<>();
    private final Map<String, Status> status = new TreeMap<>();
    /** Where the guest really runs, host to epoch. */
    private final Map<String, Long> running = new TreeMap<>();
    /** The highest epoch each supervisor has seen for the guest. */
    private final Map<String, Long> seenEpoch = new TreeMap<>();
    /**
     * The newest placement, as every supervisor reads it from placements.v1: that of the newest
     * start (the engine writes both in one transaction); null before the first.
     */
    private GuestPlacement newestPlacement;
    private final Map<String, Long> pids = new TreeMap<>();
    private String migrationFrom;
    private String migrationTo;
    private long migrationEpoch;
    private long nextPid = 100;
    private long clockMs;
    private int seq;

    World(PackageSpec spec, List<FleetView> views, Run run) {
        this.spec = spec;
        this.views = views;
        this.run = run;
        for (String h : Gen.FLEET) {
            status.put(h, Status.UP);
            queues.put(h, new ArrayDeque<>());
        }
        queues.put(REPORTER, new ArrayDeque<>());
    }

    /** Every fact the decider read, in order: the input a replay must reproduce. */
    List<CloudEvent<Fact>> given() {
        return given;
    }

    FleetView view(int index) {
        return views.get(index % views.size());
    }

    /** The package is applied (and the guest run, if it does not run by itself); then the script. */
    void play(List<Gen.Move> script) {
        write(null, null, new PackageApplied(spec));
        if (!spec.autoRun()) {
            write(null, null, new OperatorRequest(OperatorRequest.Action.RUN, null, "ops"));
        }
        for (Gen.Move m : script) {
            clockMs += 500 + m.b() * 20L;
            move(m);
            requireOneRunner();
        }
        drain();
    }

    /** No more trouble: the decider reads everything and supervisors carry out everything. */
    void drain() {
        for (int i = 0; i < 2_000; i++) {
            clockMs += 100;
            if (!log.isEmpty()) {
                decide();
            } else {
                String queue = queues.entrySet().stream().filter(e -> !e.getValue().isEmpty() && reachable(e.getKey()))
                        .map(Map.Entry::getKey).findFirst().orElse(null);
                if (queue == null) {
                    return;
                }
                serve(queue, false);
            }
            requireOneRunner();
        }
        throw run.failure("the world did not settle after 2000 steps");
    }

    private void requireOneRunner() {
        if (run.checks(Run.Check.ONE_RUNNER)) {
            run.require(running.size() <= 1, () -> "two hosts run the guest: " + running);
        }
    }

    private void move(Gen.Move m) {
        switch (m.kind()) {
            case DECIDE -> {
                if (!log.isEmpty()) {
                    decide();
                }
            }
            case SERVE -> {
                List<String> busy = queues.entrySet().stream().filter(e -> !e.getValue().isEmpty() && reachable(e.getKey()))
                        .map(Map.Entry::getKey).toList();
                if (!busy.isEmpty()) {
                    serve(busy.get(m.a() % busy.size()), m.b() % 5 == 4);
                }
            }
            case APP_FAIL, APP_FAIL_AGAIN -> {
                String host = runningUpHost();
                if (host != null) {
                    String app = spec.applications().get(m.a() % spec.applications().size()).name();
                    long pid = m.kind() == Gen.MoveKind.APP_FAIL || !pids.containsKey(app) ? nextPid++ : pids.get(app);
                    pids.put(app, pid);
                    write(null, m.b() % 3 == 0 ? null : running.get(host), AppFailed.killed(app, pid, "SEGV"));
                }
            }
            case GUEST_CRASH -> {
                String host = runningUpHost();
                if (host != null) {
                    abortMigration(host);
                    long epoch = running.remove(host);
                    run.note("the guest crashed on " + host);
                    write(host, epoch, new GuestHalted(host));
                }
            }
            case HOST_CRASH -> {
                String host = pick(Status.UP, m.a());
                if (host != null) {
                    powerOff(host, Status.CRASHED, "crashed");
                    write(host, null, new HostLost(host));
                }
            }
            case HOST_PARTITION -> {
                String host = pick(Status.UP, m.a());
                if (host != null && spec.waitForFence()) {
                    status.put(host, Status.PARTITIONED);
                    abortMigration(host);
                    run.note(host + " is cut off" + (running.containsKey(host) ? ", the guest still runs there" : ""));
                    write(host, null, new HostLost(host));
                }
            }
            case HOST_RECOVER -> {
                List<String> down = status.entrySet().stream().filter(e -> e.getValue() != Status.UP
                                && (spec.waitForFence() || e.getValue() == Status.FENCED))
                        .map(Map.Entry::getKey).toList();
                if (!down.isEmpty()) {
                    String host = down.get(m.a() % down.size());
                    if (status.get(host) != Status.PARTITIONED && !queues.get(host).isEmpty()) {
                        run.note(host + " boots and skips its " + queues.get(host).size() + " queued command(s)");
                        queues.get(host).clear();
                    }
                    status.put(host, Status.UP);
                    run.note(host + " is back" + (running.containsKey(host) ? ", still running the guest" : ""));
                    write(host, null, new HostAvailable(host));
                }
            }
            case MIGRATE_BEGIN -> {
                String from = runningUpHost();
                if (from != null && migrationFrom == null) {
                    List<String> targets = Gen.FLEET.stream().filter(h -> !h.equals(from) && status.get(h) == Status.UP)
                            .toList();
                    if (!targets.isEmpty()) {
                        migrationFrom = from;
                        migrationTo = targets.get(m.a() % targets.size());
                        migrationEpoch = running.get(from);
                        write(from, migrationEpoch, new MigrationStarted(migrationFrom, migrationTo));
                    }
                }
            }
            case MIGRATE_END -> {
                if (migrationFrom != null) {
                    String from = migrationFrom;
                    String to = migrationTo;
                    migrationFrom = null;
                    if (m.a() % 4 == 3) {
                        write(from, migrationEpoch, new MigrationFailed(from, to, "target refused"));
                    } else {
                        running.remove(from);
                        running.put(to, migrationEpoch + 1);
                        seenEpoch.merge(to, migrationEpoch + 1, Math::max);
                        write(to, migrationEpoch, new MigrationCompleted(from, to));
                    }
                }
            }
            case OPERATOR -> write(null, null, operator(m.a(), m.b()));
            case RESEND -> {
                if (!written.isEmpty()) {
                    CloudEvent<Fact> again = written.get(written.size() - 1 - m.a() % Math.min(8, written.size()));
                    run.note("resends " + again.id());
                    log.add(again);
                }
            }
            case REAPPLY -> write(null, null, new PackageApplied(new PackageSpec(spec.guest(), spec.hosts(),
                    spec.failoverPolicy(), m.a() % 2 == 0 ? spec.failbackPolicy()
                    : m.a() % 4 == 1 ? PackageSpec.FailbackPolicy.AUTOMATIC : PackageSpec.FailbackPolicy.MANUAL,
                    m.b() % 2 == 0 ? spec.autoRun() : !spec.autoRun(), spec.waitForFence(), spec.applications())));
        }
    }

    private OperatorRequest operator(int a, int b) {
        String host = spec.hosts().get(b % spec.hosts().size());
        OperatorRequest.Action action = switch (a % 26) {
            case 0, 1, 2, 3, 4 -> OperatorRequest.Action.RUN;
            case 5, 6, 7 -> OperatorRequest.Action.HALT;
            case 8, 9, 10 -> OperatorRequest.Action.MOVE;
            case 11, 12 -> OperatorRequest.Action.ENABLE_SWITCHING;
            case 13 -> OperatorRequest.Action.DISABLE_SWITCHING;
            case 14 -> OperatorRequest.Action.MAINTENANCE_ON;
            case 15, 16 -> OperatorRequest.Action.MAINTENANCE_OFF;
            case 17 -> OperatorRequest.Action.HOST_MAINTENANCE_ON;
            case 18, 19 -> OperatorRequest.Action.HOST_MAINTENANCE_OFF;
            default -> OperatorRequest.Action.MIGRATE;
        };
        boolean needsHost = action == OperatorRequest.Action.MOVE || action == OperatorRequest.Action.MIGRATE
                || action == OperatorRequest.Action.HOST_MAINTENANCE_ON
                || action == OperatorRequest.Action.HOST_MAINTENANCE_OFF || action == OperatorRequest.Action.RUN && b % 2 == 0;
        if (action == OperatorRequest.Action.MIGRATE && b % 4 != 3) {
            // As an operator who looks where the guest runs first (mostly): somewhere else.
            List<String> others = spec.hosts().stream().filter(h -> !running.containsKey(h)).toList();
            host = others.isEmpty() ? host : others.get(b % others.size());
        }
        return new OperatorRequest(action, needsHost ? host : null, "ops");
    }

    // ---- the decider's side ----

    private void decide() {
        CloudEvent<Fact> fact = log.poll();
        Outcome outcome = run.feed(fact, view(given.size()));
        given.add(fact);
        for (CloudEvent<Command> c : outcome.commands()) {
            String to = c.data() instanceof HostCommand hc ? hc.host() : REPORTER;
            if (c.data() instanceof StartGuest sg && (newestPlacement == null || sg.epoch() >= newestPlacement.epoch())) {
                // placements.v1, same transaction: every start is a new placement, on its host, starting
                newestPlacement = new GuestPlacement(sg.host(), sg.epoch(), PlacementPhase.STARTING, null);
            }
            queues.get(to).add(c);
        }
    }

    // ---- supervisors, the reporter and the fence hook ----

    private void serve(String queue, boolean fail) {
        CloudEvent<Command> c = queues.get(queue).poll();
        if (queue.equals(REPORTER)) {
            String host = runningUpHost();
            if (c.data() instanceof RestartApp r && host != null) {
                long pid = nextPid++;
                pids.put(r.app(), pid);
                write(null, running.get(host), new AppStarted(r.app(), pid));
            }
            return;
        }
        if (c.data() instanceof StartGuest sg) {
            // The supervisor's own admission rules. Its second-runner rules are not simulated (no
            // beats are given): a decider that would make a second runner must fail ONE_RUNNER here,
            // not be saved by that guard.
            Optional<StartAdmission.Refusal> refused = new StartAdmission(queue)
                    .placement(Gen.GUEST, sg.epoch(), known(queue));
            if (refused.isPresent()) {
                refuse(queue, c, sg.epoch(), refused.get().reason(), refused.get().detail());
                return;
            }
            seenEpoch.put(queue, sg.epoch());
            if (fail) {
                write(queue, sg.epoch(), new GuestStartFailed(queue, "not enough memory"));
                return;
            }
            running.put(queue, sg.epoch());
            run.note(queue + " starts the guest as epoch " + sg.epoch() + (running.size() > 1 ? ", but it also runs on "
                    + running : ""));
            write(queue, sg.epoch(), new GuestStarted(queue));
        } else if (c.data() instanceof HaltGuest hg) {
            Optional<StartAdmission.Refusal> stale = StartAdmission.stale(Gen.GUEST, hg.epoch(), seen(queue));
            if (stale.isPresent()) {
                refuse(queue, c, hg.epoch(), stale.get().reason(), stale.get().detail());
                return;
            }
            seenEpoch.put(queue, hg.epoch());
            if (fail && running.containsKey(queue)) {
                write(queue, hg.epoch(), new GuestHaltFailed(queue, "guest does not shut down"));
                return;
            }
            abortMigration(queue);
            running.remove(queue);
            write(queue, hg.epoch(), new GuestHalted(queue));
        } else if (c.data() instanceof MigrateGuest mg) {
            migrate(queue, c, mg, fail);
        } else if (c.data() instanceof FenceHost fh) {
            if (fail) {
                refuse(queue, c, c.epoch(), RefusalReason.FENCE_NOT_CONFIRMED, "the fence hook did not confirm that "
                        + fh.lostHost() + " is off");
                return;
            }
            boolean wasUp = status.get(fh.lostHost()) == Status.UP;
            powerOff(fh.lostHost(), Status.FENCED, "fenced by " + queue);
            // Stamped with the fence command's epoch, as a supervisor does: a confirmation that arrives
            // after the guest was placed again answers an older fence and must not release the new placement.
            write(queue, c.epoch(), new HostFenced(fh.lostHost()));
            if (wasUp) {
                write(fh.lostHost(), c.epoch(), new HostLost(fh.lostHost()));
            }
        }
    }

    /**
     * A supervisor's live migration: only of the placement it runs, as the command's epoch, and not
     * while another migration is under way. It answers migration.started, then migration.completed
     * (the guest runs on the target as the next epoch) or migration.failed (the target is not up, or
     * it simply failed); every fact is stamped with the command's epoch and names the source host.
     */
    private void migrate(String host, CloudEvent<Command> c, MigrateGuest mg, boolean fail) {
        Long runs = running.get(host);
        if (runs == null || runs != mg.epoch()) {
            refuse(host, c, mg.epoch(), RefusalReason.NOT_RUNNING_HERE, runs == null ? "the guest does not run on " + host
                    : "the guest runs on " + host + " as epoch " + runs + ", not " + mg.epoch());
            return;
        }
        if (migrationFrom != null) {
            // No typed reason: a real supervisor has no such rule (its hypervisor fails the second migration).
            refuse(host, c, mg.epoch(), null, "a migration " + migrationFrom + " -> " + migrationTo + " is under way");
            return;
        }
        write(host, mg.epoch(), new MigrationStarted(host, mg.target()));
        if (fail || status.get(mg.target()) != Status.UP) {
            write(host, mg.epoch(), new MigrationFailed(host, mg.target(), fail ? "target refused" : "target unreachable"));
            return;
        }
        running.remove(host);
        running.put(mg.target(), mg.epoch() + 1);
        seenEpoch.merge(mg.target(), mg.epoch() + 1, Math::max);
        run.note(host + " migrates the guest to " + mg.target() + " as epoch " + (mg.epoch() + 1));
        write(host, mg.epoch(), new MigrationCompleted(host, mg.target()));
    }

    /**
     * What the supervisor of {@code host} knows of the guest's placement: the newest one published,
     * unless it has itself seen a newer epoch (a guest migrated here, a halt it carried out) that the
     * decider has not published yet; that one is this host's.
     */
    private Optional<GuestPlacement> known(String host) {
        Optional<GuestPlacement> seen = seen(host);
        if (seen.isPresent() && (newestPlacement == null || seen.get().epoch() > newestPlacement.epoch())) {
            return seen;
        }
        return Optional.ofNullable(newestPlacement);
    }

    /** The newest epoch the supervisor of {@code host} has seen, as a placement on that host. */
    private Optional<GuestPlacement> seen(String host) {
        return Optional.ofNullable(seenEpoch.get(host))
                .map(epoch -> new GuestPlacement(host, epoch, running.containsKey(host) ? PlacementPhase.RUNNING
                        : PlacementPhase.DOWN, null));
    }

    private void refuse(String host, CloudEvent<Command> c, Long epoch, RefusalReason reason, String why) {
        run.note(host + " refuses " + c.id() + ": " + why);
        write(host, epoch, new CommandRefused(host, c.id(), c.data().kind(), reason, why));
    }

    private void powerOff(String host, Status now, String why) {
        status.put(host, now);
        abortMigration(host);
        Long epoch = running.remove(host);
        run.note(host + " " + why + (epoch == null ? "" : ", killing the guest (epoch " + epoch + ")"));
    }

    private void abortMigration(String host) {
        if (migrationFrom != null && (host.equals(migrationFrom) || host.equals(migrationTo))) {
            write(migrationFrom, migrationEpoch, new MigrationFailed(migrationFrom, migrationTo, "aborted"));
            migrationFrom = null;
        }
    }

    private boolean reachable(String queue) {
        return queue.equals(REPORTER) || status.get(queue) == Status.UP;
    }

    private String runningUpHost() {
        return running.keySet().stream().filter(h -> status.get(h) == Status.UP).findFirst().orElse(null);
    }

    private String pick(Status wanted, int choice) {
        List<String> hosts = status.entrySet().stream().filter(e -> e.getValue() == wanted).map(Map.Entry::getKey).toList();
        return hosts.isEmpty() ? null : hosts.get(choice % hosts.size());
    }

    private void write(String host, Long epoch, Fact data) {
        CloudEvent<Fact> fact = new CloudEvent<>("w" + seq++, "/test/world", Gen.T0.plusMillis(clockMs), Gen.GUEST, null,
                host, epoch, data);
        written.add(fact);
        log.add(fact);
    }
}
