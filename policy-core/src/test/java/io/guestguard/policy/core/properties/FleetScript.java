package io.guestguard.policy.core.properties;

import io.guestguard.policy.core.FleetView;
import io.guestguard.policy.core.sim.SimFleet;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageSpec;

import java.util.List;

/**
 * Plays a script of {@link Gen.Move}s into the simulated fleet ({@link SimFleet}) of one guest on
 * {@link Gen#FLEET}: the decider (through {@link Run}, which checks every step) reads the guest's log
 * when the script says so, supervisors and the reporter carry out their commands when it says so
 * (sometimes failing), and faults come in between. After every move it checks that no two hosts run
 * the guest. A package with {@code wait_for_fence=false} has declared that its lost hosts are dead:
 * in its world there are no partitions and a crashed host stays down (were it back before the
 * decider read that it was lost, it could still carry out a start sent to it, which is the risk that
 * package chose).
 */
final class FleetScript {

    private final PackageSpec spec;
    private final Run run;
    private final SimFleet fleet;

    FleetScript(PackageSpec spec, List<FleetView> views, Run run) {
        this.spec = spec;
        this.run = run;
        // Step i of the run sees view i mod n.
        this.fleet = new SimFleet(Gen.T0, 0, false, (state, fact) -> run.feed(fact, views.get(run.steps().size() % views.size())),
                run::note).hosts(Gen.FLEET);
    }

    /** Every fact the decider read, in order: the input a replay must reproduce. */
    List<CloudEvent<Fact>> given() {
        return fleet.given();
    }

    /** The package is applied (and the guest run, if it does not run by itself); then the script. */
    void play(List<Gen.Move> script) {
        fleet.apply(spec);
        if (!spec.autoRun()) {
            fleet.operator(Gen.GUEST, new OperatorRequest(OperatorRequest.Action.RUN, null, "ops"));
        }
        for (Gen.Move m : script) {
            fleet.advance(500 + m.b() * 20L);
            move(m);
            requireOneRunner();
        }
        drain();
    }

    /** No more trouble: the decider reads everything and supervisors carry out everything. */
    private void drain() {
        for (int i = 0; i < 2_000; i++) {
            fleet.advance(100);
            if (!fleet.read(Gen.GUEST)) {
                List<String> busy = fleet.busyQueues();
                if (busy.isEmpty()) {
                    return;
                }
                fleet.serve(busy.get(0), false);
            }
            requireOneRunner();
        }
        throw run.failure("the world did not settle after 2000 steps");
    }

    private void requireOneRunner() {
        if (run.checks(Run.Check.ONE_RUNNER)) {
            run.require(fleet.runners(Gen.GUEST).size() <= 1, () -> "two hosts run the guest: " + fleet.runners(Gen.GUEST));
        }
    }

    private void move(Gen.Move m) {
        switch (m.kind()) {
            case DECIDE -> fleet.read(Gen.GUEST);
            case SERVE -> {
                List<String> busy = fleet.busyQueues();
                if (!busy.isEmpty()) {
                    fleet.serve(busy.get(m.a() % busy.size()), m.b() % 5 == 4);
                }
            }
            case APP_FAIL, APP_FAIL_AGAIN -> fleet.appFails(Gen.GUEST, app(m.a()), m.kind() == Gen.MoveKind.APP_FAIL_AGAIN,
                    m.b() % 3 != 0, "SEGV");
            case GUEST_CRASH -> fleet.guestCrashes(Gen.GUEST);
            case HOST_CRASH -> {
                String host = pick(fleet.hosts(SimFleet.Status.UP), m.a());
                if (host != null) {
                    fleet.crash(host);
                }
            }
            case HOST_PARTITION -> {
                String host = pick(fleet.hosts(SimFleet.Status.UP), m.a());
                if (host != null && spec.waitForFence()) {
                    fleet.partition(host);
                }
            }
            case HOST_RECOVER -> {
                List<String> down = Gen.FLEET.stream().filter(h -> fleet.status(h) != SimFleet.Status.UP
                        && (spec.waitForFence() || fleet.status(h) == SimFleet.Status.FENCED)).toList();
                if (!down.isEmpty()) {
                    fleet.recover(pick(down, m.a()));
                }
            }
            case MIGRATE_BEGIN -> {
                String from = fleet.runningUpHost(Gen.GUEST);
                List<String> targets = Gen.FLEET.stream().filter(h -> !h.equals(from)
                        && fleet.status(h) == SimFleet.Status.UP).toList();
                if (from != null && !targets.isEmpty()) {
                    fleet.migrationBegins(Gen.GUEST, pick(targets, m.a()));
                }
            }
            case MIGRATE_END -> fleet.migrationEnds(Gen.GUEST, m.a() % 4 == 3);
            case OPERATOR -> fleet.operator(Gen.GUEST, operator(m.a(), m.b()));
            case APP_REQUEST -> fleet.operator(Gen.GUEST, appRequest(m.a(), m.b()));
            case RESEND -> fleet.resend(Gen.GUEST, m.a());
            case REAPPLY -> fleet.apply(new PackageSpec(spec.guest(), spec.hosts(),
                    spec.failoverPolicy(), m.a() % 2 == 0 ? spec.failbackPolicy()
                    : m.a() % 4 == 1 ? PackageSpec.FailbackPolicy.AUTOMATIC : PackageSpec.FailbackPolicy.MANUAL,
                    m.b() % 2 == 0 ? spec.autoRun() : !spec.autoRun(), spec.waitForFence(), spec.applications()));
        }
    }

    /**
     * An application's stop or start; once one is stopped, mostly a start of an application the
     * operator stopped (as operators do); now and then the application is one the package does not
     * name (an alert, nothing sent).
     */
    private OperatorRequest appRequest(int a, int b) {
        List<String> stopped = List.copyOf(fleet.stoppedApps(Gen.GUEST));
        boolean stop = stopped.isEmpty() ? a % 2 == 0 : a % 3 == 0;
        String app = b % 10 == 9 ? "unnamed" : !stop && !stopped.isEmpty() && b % 4 != 3 ? stopped.get(b % stopped.size())
                : app(b);
        return OperatorRequest.ofApp(stop ? OperatorRequest.Action.STOP_APP : OperatorRequest.Action.START_APP, app, "ops");
    }

    private String app(int choice) {
        return spec.applications().get(choice % spec.applications().size()).name();
    }

    private OperatorRequest operator(int a, int b) {
        String host = spec.hosts().get(b % spec.hosts().size());
        OperatorRequest.Action action = switch (a % 29) {
            case 0, 1, 2, 3, 4 -> OperatorRequest.Action.RUN;
            case 5, 6, 7 -> OperatorRequest.Action.HALT;
            case 8, 9, 10 -> OperatorRequest.Action.MOVE;
            case 11, 12 -> OperatorRequest.Action.ENABLE_SWITCHING;
            case 13 -> OperatorRequest.Action.DISABLE_SWITCHING;
            case 14 -> OperatorRequest.Action.MAINTENANCE_ON;
            case 15, 16 -> OperatorRequest.Action.MAINTENANCE_OFF;
            case 17 -> OperatorRequest.Action.HOST_MAINTENANCE_ON;
            case 18, 19 -> OperatorRequest.Action.HOST_MAINTENANCE_OFF;
            case 26 -> OperatorRequest.Action.HOST_HALT;
            case 27 -> OperatorRequest.Action.HOST_DETACH;
            case 28 -> OperatorRequest.Action.HOST_RUN;
            default -> OperatorRequest.Action.MIGRATE;
        };
        boolean needsHost = action == OperatorRequest.Action.MOVE || action == OperatorRequest.Action.MIGRATE
                || action == OperatorRequest.Action.HOST_MAINTENANCE_ON
                || action == OperatorRequest.Action.HOST_MAINTENANCE_OFF || action == OperatorRequest.Action.HOST_HALT
                || action == OperatorRequest.Action.HOST_DETACH || action == OperatorRequest.Action.HOST_RUN
                || action == OperatorRequest.Action.RUN && b % 2 == 0;
        if (action == OperatorRequest.Action.MIGRATE && b % 4 != 3) {
            // As an operator who looks where the guest runs first (mostly): somewhere else.
            List<String> others = spec.hosts().stream().filter(h -> !fleet.runners(Gen.GUEST).containsKey(h)).toList();
            host = others.isEmpty() ? host : others.get(b % others.size());
        }
        return new OperatorRequest(action, needsHost ? host : null, "ops");
    }

    private static String pick(List<String> hosts, int choice) {
        return hosts.isEmpty() ? null : hosts.get(choice % hosts.size());
    }
}
