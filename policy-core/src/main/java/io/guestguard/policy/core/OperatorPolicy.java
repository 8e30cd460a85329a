package io.guestguard.policy.core;

import io.guestguard.policy.core.Placement.Motive;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.StartApp;
import io.guestguard.protocol.StopApp;

import java.util.Map;
import java.util.Set;

/**
 * Operator requests (steps 5 and 6 of the {@link Decider}'s algorithm): halt ({@code cmhaltpkg}), run
 * ({@code cmrunpkg}, on a named host or the chosen one), move, live-migrate, enable or disable
 * switching ({@code cmmodpkg}), package or host maintenance, and the host commands (halt, detach, run:
 * {@link HostPolicy}). A run starts a new move, so any host
 * may be tried again; a halt of a guest whose host is being fenced is carried out by the fence; a
 * request that cannot be carried out (a host that is not eligible, a move or migration of a guest that
 * does not run) is answered with an alert, since an operator waits for an answer. When switching is
 * enabled again or maintenance ends, what they held back is carried out ({@link HeldActions}).
 *
 * <p>An application's stop or start ({@code cmhaltserv}, {@code cmrunserv}) is sent to the guest's
 * reporter only while the guest is confirmed running and its package (when it has one) names the
 * application; otherwise the operator gets an alert that says why and nothing is sent. A stopped
 * application is reported {@code app.stopped}, never failed, so nothing counts against its restart
 * budget and nothing restarts it. The reporter keeps the stop in the guest's own state folder, so it
 * outlasts a reporter restart, a live migration and a failover (the guest starts from the same disk): the
 * application stays stopped on the new host until an operator starts it. The package's maintenance
 * and disabled switching do not hold these requests back: they hold the decider's own actions, not
 * an operator's.
 */
final class OperatorPolicy {
    private final Moves moves;
    private final HostPolicy hosts;
    private final MigrationPolicy migrations;

    OperatorPolicy(Moves moves, HostPolicy hosts, MigrationPolicy migrations) {
        this.moves = moves;
        this.hosts = hosts;
        this.migrations = migrations;
    }

    void request(Turn t, OperatorRequest request) {
        String who = request.who(); // "alice via console" when the console asked for its user
        switch (request.action()) {
            case HALT -> halt(t, who);
            case RUN -> run(t, who, request.host());
            case MOVE -> move(t, who, request.host());
            case MIGRATE -> migrate(t, who, request.host());
            case ENABLE_SWITCHING -> {
                t.state(t.state().switching(true));
                t.holdsMayEnd();
            }
            case DISABLE_SWITCHING -> t.state(t.state().switching(false));
            case MAINTENANCE_ON -> t.state(t.state().packageMaintenance(true));
            case MAINTENANCE_OFF -> {
                t.state(t.state().packageMaintenance(false));
                t.holdsMayEnd();
            }
            case HOST_MAINTENANCE_ON -> hosts.intoMaintenance(t, request.host());
            case HOST_MAINTENANCE_OFF -> hosts.outOfMaintenance(t, request.host());
            case HOST_HALT -> hosts.halt(t, request.host(), who);
            case HOST_DETACH -> hosts.detach(t, request.host(), who);
            case HOST_RUN -> hosts.run(t, request.host(), who);
            case STOP_APP -> application(t, who, request.app(), true);
            case START_APP -> application(t, who, request.app(), false);
        }
    }

    private void application(Turn t, String who, String app, boolean stop) {
        Placement p = t.placement();
        String verb = stop ? "stop" : "start";
        if (app == null) { // the schema requires one; a request decoded without it still gets its answer
            t.decide(Action.ALERT, DecisionReason.APP_REQUEST_WITHOUT_APP.toReason(who, verb, t.guest()))
                    .from(p.host()).record();
            return;
        }
        if (t.state().spec() != null && t.state().spec().application(app).isEmpty()) {
            t.decide(Action.ALERT, DecisionReason.APP_REQUEST_NOT_IN_PACKAGE.toReason(who, verb, app, t.guest(), app))
                    .app(app).from(p.host()).record();
            return;
        }
        if (p.phase() != PlacementPhase.RUNNING || p.host() == null) {
            // Starting, halting (a halt, a failover, a move), fenced or down: the reporter that would
            // carry it out is not known to run, or is about to stop with the guest.
            t.decide(Action.ALERT, DecisionReason.APP_REQUEST_GUEST_NOT_RUNNING.toReason(who, verb, app, t.guest(),
                            t.guest(), p.describe()))
                    .app(app).from(p.host()).epoch(p.host() == null ? null : p.epoch()).record();
            return;
        }
        if (stop) {
            t.decide(Action.STOP_APP, DecisionReason.OPERATOR_STOP_APP.toReason(who, app, t.guest(), p.host()))
                    .app(app).from(p.host()).epoch(p.epoch())
                    .command("stop-app", decision -> new StopApp(app, decision)).record();
        } else {
            t.decide(Action.START_APP, DecisionReason.OPERATOR_START_APP.toReason(who, app, t.guest(), p.host()))
                    .app(app).from(p.host()).epoch(p.epoch())
                    .command("start-app", decision -> new StartApp(app, decision)).record();
        }
    }

    private void halt(Turn t, String who) {
        Placement p = t.placement();
        if (p.phase() == PlacementPhase.FENCING) {
            // No halt reaches a lost host: the fence under way is the halt, and after it the guest
            // stays down instead of starting elsewhere.
            t.place(p.fencing(null, Motive.OPERATOR_HALT));
            t.decide(Action.NONE, DecisionReason.OPERATOR_HALT_BY_FENCE.toReason(who, t.guest(), p.host(), p.host()))
                    .from(p.host()).epoch(p.epoch()).record();
            return;
        }
        if (p.mayRun() || p.phase() == PlacementPhase.WAITING) {
            if (p.phase() == PlacementPhase.WAITING || p.host() == null) {
                t.place(p.down(Motive.OPERATOR_HALT));
                return;
            }
            moves.leave(t, Action.HALT_GUEST, Motive.OPERATOR_HALT, null,
                    DecisionReason.OPERATOR_HALT.toReason(who, t.guest(), p.host())).record();
        }
    }

    private void run(Turn t, String who, String host) {
        Placement p = t.placement();
        if (p.phase() != PlacementPhase.DOWN && p.phase() != PlacementPhase.WAITING) {
            return;
        }
        t.state(t.state().knowing(t.state().hosts().withoutFailedTargets())); // a new move: any host may be tried again
        if (host != null) {
            if (!moves.eligible(t, host)) {
                moves.notEligible(t, who, "run", host);
                return;
            }
            moves.start(t, host, Motive.OPERATOR_RUN, DecisionReason.OPERATOR_RUN.toReason(who, t.guest(), host,
                    p.epoch() + 1), Map.of());
            return;
        }
        moves.startSomewhere(t, Motive.OPERATOR_RUN, Set.of(),
                (to, epoch) -> DecisionReason.OPERATOR_RUN.toReason(who, t.guest(), to, epoch));
    }

    private void move(Turn t, String who, String to) {
        Placement p = t.placement();
        if (!runsElsewhereThan(t, to, p, who)) {
            return;
        }
        if (!moves.eligible(t, to)) {
            moves.notEligible(t, who, "move", to);
            return;
        }
        moves.leave(t, Action.MOVE, Motive.OPERATOR_MOVE, to, DecisionReason.OPERATOR_MOVE.toReason(who, t.guest(),
                p.host(), to)).record();
    }

    private void migrate(Turn t, String who, String to) {
        Placement p = t.placement();
        if (!runsElsewhereThan(t, to, p, who)) {
            return;
        }
        if (!moves.eligible(t, to)) {
            moves.notEligible(t, who, "migrate", to);
            return;
        }
        if (!moves.canAct(t, "operator " + who + " asks to migrate " + t.guest() + " from " + p.host() + " to " + to)) {
            return;
        }
        // The placement stays until migration.completed moves it (epoch + 1, budgets kept);
        // a migration that fails or is refused leaves the guest where it runs.
        migrations.migrate(t, p, to, DecisionReason.OPERATOR_MIGRATE.toReason(who, t.guest(), p.host(), to, p.epoch()))
                .record();
    }

    /**
     * Whether the guest runs, somewhere else than {@code to}, so that an operator can move or
     * migrate it there; if not, says so: an operator waits for an answer to every request.
     */
    private boolean runsElsewhereThan(Turn t, String to, Placement p, String who) {
        if (to != null && p.phase() == PlacementPhase.RUNNING && !to.equals(p.host())) {
            return true;
        }
        t.decide(Action.ALERT, DecisionReason.MIGRATION_NOT_POSSIBLE.toReason(who, t.guest(), to, p.describe()))
                .from(p.host()).to(to).epoch(p.host() == null ? null : p.epoch()).record();
        return false;
    }
}
