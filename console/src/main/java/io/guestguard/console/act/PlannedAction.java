package io.guestguard.console.act;

import io.guestguard.protocol.GuestAction;
import io.guestguard.protocol.Names;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.fleet.FleetStatus;
import io.guestguard.protocol.fleet.FleetStatus.GuestStatus;

import java.util.List;

/**
 * An operator action the console was asked for, checked against the fleet as the console sees it, and
 * said in words before anyone confirms it. Guest actions are built by {@link GuestAction}, application
 * actions by {@link OperatorRequest#ofApp}, as the CLI builds them; what the console adds is the
 * checks a form needs (a known guest, one of its package's hosts, one of its applications) and the
 * sentence of what will happen.
 *
 * @param guest    the guest
 * @param kind     what is asked, as the metrics and the forms name it: {@code halt}, {@code run},
 *                 {@code move}, {@code migrate}, {@code stop-app}, {@code start-app}
 * @param host     the host for run, move and migrate, or {@code null}
 * @param app      the application for stop and start, or {@code null}
 * @param title    the action in a few words, e.g. {@code Stop app2 in g3}
 * @param sentence exactly what will happen
 */
public record PlannedAction(String guest, String kind, String host, String app, String title, String sentence) {

    /** An action that cannot be asked for as given; the message says why and what to do. */
    public static final class Invalid extends Exception {
        private final String kind;

        Invalid(String kind, String message) {
            super(message);
            this.kind = kind;
        }

        /** The action's kind as given, or {@code unknown}. */
        public String kind() {
            return kind;
        }
    }

    /**
     * A guest action (halt, run, move, migrate).
     *
     * @param to the host, or blank: required for move and migrate, optional for run, not for halt
     */
    public static PlannedAction ofGuest(FleetStatus fleet, String guestName, String action, String to) throws Invalid {
        GuestAction what = guestAction(action);
        GuestStatus g = known(fleet, guestName, what.word());
        String host = to == null || to.isBlank() ? null : to.strip();
        if (host == null && what.target() == GuestAction.Target.REQUIRED) {
            throw new Invalid(what.word(), what.word() + " " + g.guest() + " needs a host: choose one of its hosts ("
                    + String.join(", ", g.hosts()) + ")");
        }
        if (host != null && what.target() == GuestAction.Target.NONE) {
            throw new Invalid(what.word(), what.word() + " takes no host" + (what == GuestAction.HALT ? ": a guest is halted where it runs" : ""));
        }
        if (host != null && !g.hosts().contains(host)) {
            throw new Invalid(what.word(), (Names.valid(host) ? "host " + host + " is not" : "'" + shorten(host) + "' is not a host name and not")
                    + " one of " + g.guest() + "'s hosts (" + String.join(", ", g.hosts()) + "); choose one of them");
        }
        String where = g.host() == null ? "" : " from " + g.host();
        String sentence = switch (what) {
            case HALT -> "Halt guest " + g.guest() + (g.host() == null ? "" : " on " + g.host())
                    + ". It stays down until an operator runs it again.";
            case RUN -> "Run guest " + g.guest() + (host == null ? " on the first eligible host of its package ("
                    + String.join(", ", g.hosts()) + ")" : " on " + host) + ", if it is down.";
            case MOVE -> "Move guest " + g.guest() + where + " to " + host
                    + ": it is halted, then started on " + host + " with fresh restart budgets.";
            case MIGRATE -> "Live-migrate guest " + g.guest() + where + " to " + host
                    + ": its applications keep running and their restart budgets go with it.";
            case DISABLE_SWITCHING -> "Disable switching of guest " + g.guest()
                    + ": nothing fails it over until an operator enables switching again.";
            case ENABLE_SWITCHING -> "Enable switching of guest " + g.guest() + ": a failover it held is carried out now.";
        };
        String title = capitalized(what.word()) + " " + g.guest() + (host == null ? "" : " to " + host);
        return new PlannedAction(g.guest(), what.word(), host, null, title, sentence);
    }

    /** An application action: {@code stop} or {@code start}. */
    public static PlannedAction ofApp(FleetStatus fleet, String guestName, String action, String appName) throws Invalid {
        boolean stop = "stop".equals(action);
        if (!stop && !"start".equals(action)) {
            throw new Invalid("unknown", "'" + shorten(action) + "' is not an application action; choose stop or start");
        }
        String kind = action + "-app";
        GuestStatus g = known(fleet, guestName, kind);
        List<String> apps = g.apps().stream().map(FleetStatus.AppStatus::app).toList();
        if (appName == null || !apps.contains(appName)) {
            throw new Invalid(kind, (Names.valid(appName) ? "application " + appName + " is not" : "'" + shorten(appName)
                    + "' is not an application name and not") + " one of " + g.guest() + "'s applications ("
                    + String.join(", ", apps) + "); choose one of them");
        }
        String on = g.host() == null ? "" : " (on " + g.host() + ")";
        String sentence = stop
                ? "Stop application " + appName + " in guest " + g.guest() + on + ". It is reported stopped, not failed: "
                  + "nothing restarts it, across restarts and failovers of the guest, until an operator starts it."
                : "Start application " + appName + " in guest " + g.guest() + on + ".";
        return new PlannedAction(g.guest(), kind, null, appName, capitalized(action) + " " + appName + " in " + g.guest(), sentence);
    }

    /** The request {@code operator} writes for {@code user}, as the CLI builds it. */
    public OperatorRequest request(String operator, String user) {
        OperatorRequest request = app == null
                ? GuestAction.byWord(kind).orElseThrow().request(host, operator)
                : OperatorRequest.ofApp(kind.equals("stop-app") ? OperatorRequest.Action.STOP_APP : OperatorRequest.Action.START_APP,
                        app, operator);
        return request.onBehalfOf(user);
    }

    private static GuestAction guestAction(String action) throws Invalid {
        return GuestAction.byWord(action).orElseThrow(() -> new Invalid("unknown", "'" + shorten(action)
                + "' is not a guest action; choose halt, run, move, migrate, disable-switching or enable-switching"));
    }

    private static GuestStatus known(FleetStatus fleet, String guest, String kind) throws Invalid {
        if (!Names.valid(guest)) {
            throw new Invalid(kind, "'" + shorten(guest) + "' is not a guest name (" + Names.RULE + ")");
        }
        GuestStatus g = fleet.guests().stream().filter(s -> s.guest().equals(guest)).findFirst()
                .orElseThrow(() -> new Invalid(kind, "no guest " + guest + " has a package or a placement; check the name on the fleet page"));
        if (g.hosts() == null) {
            throw new Invalid(kind, "guest " + guest + " has no package: apply one first (guestguard apply -f " + guest + ".yaml)");
        }
        return g;
    }

    private static String capitalized(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    /** A given value as an error message may quote it: bounded, since it may be anything. */
    private static String shorten(String value) {
        if (value == null) {
            return "";
        }
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }
}
