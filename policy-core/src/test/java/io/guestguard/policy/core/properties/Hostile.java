package io.guestguard.policy.core.properties;

import io.guestguard.policy.core.FleetView;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Placement;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestHaltFailed;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStartFailed;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostAvailable;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PackageSpec.AppPolicy;
import io.guestguard.protocol.PackageSpec.FailbackPolicy;
import io.guestguard.protocol.PackageSpec.FailoverPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a hostile script into facts, one at a time, against the decider's state as it stands: a
 * "current" epoch is the placement's epoch at that moment, "the placed host" is the host it has
 * then. Plausible values dominate (so the decider gets somewhere), hostile ones are mixed in: old,
 * future and missing epochs, unlisted hosts, migrations from a host that does not have the guest,
 * pids reported again, facts resent with their original id, times that go back.
 */
final class Hostile {

    private final PackageSpec spec;
    private final List<FleetView> views;
    private final List<String> unlisted;
    private final List<CloudEvent<Fact>> given = new ArrayList<>();
    private final Map<String, Long> lastPid = new TreeMap<>();
    private long nextPid = 100;

    Hostile(PackageSpec spec, List<FleetView> views) {
        this.spec = spec;
        this.views = views;
        this.unlisted = Gen.FLEET.stream().filter(h -> !spec.hosts().contains(h)).toList();
    }

    /** Runs the whole script through {@code run}, which checks every step. */
    void play(boolean applyFirst, List<Gen.Noise> script, Run run) {
        if (applyFirst) {
            feed(run, fact("f0", 0, null, null, new PackageApplied(spec)));
        }
        for (Gen.Noise n : script) {
            feed(run, resolve(n, run.state(), given.size()));
        }
    }

    /** Every fact given, in order: the input a replay must reproduce. */
    List<CloudEvent<Fact>> given() {
        return given;
    }

    FleetView view(int index) {
        return views.get(index % views.size());
    }

    private void feed(Run run, CloudEvent<Fact> fact) {
        run.feed(fact, view(given.size()));
        given.add(fact);
    }

    CloudEvent<Fact> resolve(Gen.Noise n, GuestState s, int index) {
        Placement p = s.placement();
        String id = "f" + index;
        long offset = index * 1_000L + (n.time() >= 80 ? -(n.time() - 79) * 3_000L : n.time() * 7L);
        String host = host(n.host(), s);
        Long epoch = epoch(n.epoch(), p.epoch());
        String app = app(n.other());
        return switch (n.kind()) {
            case APP_FAILED -> {
                long pid = nextPid++;
                lastPid.put(app, pid);
                yield fact(id, offset, null, epoch, AppFailed.killed(app, pid, "KILL"));
            }
            case APP_FAILED_SAME_PID -> fact(id, offset, null, epoch,
                    AppFailed.exited(app, lastPid.getOrDefault(app, 1L), 3));
            case APP_STARTED -> fact(id, offset, null, epoch, new AppStarted(app, nextPid++));
            case APP_STOPPED -> fact(id, offset, null, epoch, new AppStopped(app, lastPid.getOrDefault(app, 1L)));
            case PACKAGE_APPLIED -> fact(id, offset, null, null, new PackageApplied(variant(n.other())));
            case GUEST_STARTED -> fact(id, offset, host, epoch, new GuestStarted(host));
            case GUEST_HALTED -> fact(id, offset, host, epoch, new GuestHalted(host));
            case GUEST_START_FAILED -> fact(id, offset, host, epoch, new GuestStartFailed(host, "no memory"));
            case GUEST_HALT_FAILED -> fact(id, offset, host, epoch, new GuestHaltFailed(host, "stuck in I/O"));
            case MIGRATION_STARTED -> fact(id, offset, host, epoch, new MigrationStarted(host, other(host, n.other())));
            case MIGRATION_COMPLETED -> fact(id, offset, host, epoch, new MigrationCompleted(host, other(host, n.other())));
            case MIGRATION_FAILED -> fact(id, offset, host, epoch,
                    new MigrationFailed(host, other(host, n.other()), "target refused"));
            case HOST_LOST -> fact(id, offset, host, n.epoch() < 50 ? null : epoch, new HostLost(host));
            case HOST_FENCED -> fact(id, offset, host, n.epoch() < 50 ? null : epoch, new HostFenced(host));
            case HOST_AVAILABLE -> fact(id, offset, host, null, new HostAvailable(host));
            case OPERATOR_REQUEST -> operator(id, offset, n, s);
            case COMMAND_REFUSED -> {
                CommandKind kind = List.of(CommandKind.START_GUEST, CommandKind.HALT_GUEST, CommandKind.MIGRATE_GUEST,
                        CommandKind.FENCE_HOST).get(n.other() % 4);
                // untyped, as records written before refusals were typed read
                yield fact(id, offset, host, epoch, new CommandRefused(host, kind + "-f" + n.other(), kind, null, "refused"));
            }
            case RESEND -> given.isEmpty() ? fact(id, offset, null, null, new AppStarted(app, nextPid++))
                    : given.get(given.size() - 1 - n.other() % given.size());
        };
    }

    private CloudEvent<Fact> operator(String id, long offset, Gen.Noise n, GuestState s) {
        OperatorRequest.Action[] actions = OperatorRequest.Action.values();
        OperatorRequest.Action action = actions[n.other() % actions.length];
        String host = switch (action) {
            case RUN -> n.host() % 3 == 0 ? null : host(n.host(), s);
            case MOVE, MIGRATE, HOST_MAINTENANCE_ON, HOST_MAINTENANCE_OFF, HOST_HALT, HOST_DETACH, HOST_RUN -> host(n.host(), s);
            default -> null;
        };
        // An application stop or start names an application, now and then one the package lacks.
        String app = action == OperatorRequest.Action.STOP_APP || action == OperatorRequest.Action.START_APP
                ? app(n.host()) : null;
        return fact(id, offset, null, null, new OperatorRequest(action, host, "ops", app));
    }

    /** 0–29: the placed host; 30–39: the next host; 40–89: a listed host; 90–99: an unlisted one. */
    private String host(int choice, GuestState s) {
        Placement p = s.placement();
        List<String> listed = spec.hosts();
        if (choice < 30) {
            return p.host() != null ? p.host() : listed.get(0);
        }
        if (choice < 40) {
            return p.nextHost() != null ? p.nextHost() : listed.get(choice % listed.size());
        }
        if (choice < 90) {
            return listed.get(choice % listed.size());
        }
        return unlisted.get(choice % unlisted.size());
    }

    /** 0–59: current; 60–74: none; 75–89: older; 90–99: in the future. */
    private static Long epoch(int choice, long current) {
        if (choice < 60) {
            return current;
        }
        if (choice < 75) {
            return null;
        }
        if (choice < 90) {
            return Math.max(0, current - 1 - choice % 2);
        }
        return current + 1 + choice % 3;
    }

    private String app(int choice) {
        List<AppPolicy> apps = spec.applications();
        return choice % 10 == 9 ? "ghost" : apps.get(choice % apps.size()).name(); // ghost: not in the package
    }

    private String other(String host, int choice) {
        List<String> candidates = new ArrayList<>(spec.hosts());
        candidates.addAll(unlisted);
        candidates.remove(host);
        return candidates.get(choice % candidates.size());
    }

    /** The package again; bits of {@code choice} flip its settings, drop an app or reorder its hosts. */
    private PackageSpec variant(int choice) {
        boolean autoRun = spec.autoRun() ^ (choice & 1) != 0;
        FailbackPolicy failback = (choice & 2) == 0 ? spec.failbackPolicy()
                : spec.failbackPolicy() == FailbackPolicy.MANUAL ? FailbackPolicy.AUTOMATIC : FailbackPolicy.MANUAL;
        boolean waitForFence = spec.waitForFence() ^ (choice & 4) != 0;
        FailoverPolicy failover = (choice & 8) == 0 ? spec.failoverPolicy()
                : spec.failoverPolicy() == FailoverPolicy.CONFIGURED_NODE ? FailoverPolicy.MIN_PACKAGE_NODE
                : FailoverPolicy.CONFIGURED_NODE;
        List<AppPolicy> apps = (choice & 16) != 0 && spec.applications().size() > 1
                ? spec.applications().subList(0, spec.applications().size() - 1) : spec.applications();
        List<String> hosts = new ArrayList<>(spec.hosts());
        if ((choice & 32) != 0) {
            hosts.add(hosts.remove(0));
        }
        return new PackageSpec(spec.guest(), hosts, failover, failback, autoRun, waitForFence, apps);
    }

    static CloudEvent<Fact> fact(String id, long offsetMs, String host, Long epoch, Fact data) {
        return new CloudEvent<>(id, "/test/hostile", Gen.T0.plusMillis(offsetMs), Gen.GUEST, null, host, epoch, data);
    }
}
