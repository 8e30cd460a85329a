package io.guestguard.protocol;

/**
 * An operator's request about one guest package, as Serviceguard's {@code cmhaltpkg},
 * {@code cmrunpkg}, {@code cmmodpkg} and maintenance mode, or about one of its applications, as
 * {@code cmhaltserv} and {@code cmrunserv}. A request about a host (host maintenance, halt, detach and
 * run, {@code cmhaltnode} and {@code cmrunnode}) is written once for every guest whose package lists that
 * host or that is placed on it. Like every fact it is decided on, so the command it
 * leads to (if any) has a decision that explains it and that a replay reproduces.
 *
 * @param action what the operator asks for
 * @param host the host concerned: required for {@code MOVE} and the host actions, optional for
 *             {@code RUN} (the first eligible host when absent), absent otherwise
 * @param operator who asked, for the audit trail
 * @param app the application concerned: required for {@code STOP_APP} and {@code START_APP}, absent
 *            otherwise (and in every request recorded before application requests existed)
 * @param onBehalfOf the person who asked through an operator that acts for others (the console's
 *                   signed-in user, while {@code operator} is the console whose key signs), for the
 *                   audit trail; absent when the operator asked in person (and in every request
 *                   recorded before the console could ask)
 */
public record OperatorRequest(Action action, String host, String operator, String app, String onBehalfOf) implements Fact {

    /** A request about the whole guest package (every action but {@code STOP_APP} and {@code START_APP}). */
    public OperatorRequest(Action action, String host, String operator) {
        this(action, host, operator, null, null);
    }

    /** A request as an operator makes it in person: on behalf of no one else. */
    public OperatorRequest(Action action, String host, String operator, String app) {
        this(action, host, operator, app, null);
    }

    /** A request to stop or start one application ({@code cmhaltserv}, {@code cmrunserv}). */
    public static OperatorRequest ofApp(Action action, String app, String operator) {
        if (action != Action.STOP_APP && action != Action.START_APP) {
            throw new IllegalArgumentException(action + " is not about an application");
        }
        return new OperatorRequest(action, null, operator, app);
    }

    /** This request as made through {@code operator} for the person {@code user} (the console's way). */
    public OperatorRequest onBehalfOf(String user) {
        return new OperatorRequest(action, host, operator, app, user);
    }

    /**
     * Who asked, as decisions name them: the operator, or {@code alice via console} when the operator
     * {@code console} asked for its user {@code alice}.
     */
    public String who() {
        return onBehalfOf == null ? operator : onBehalfOf + " via " + operator;
    }

    /** What an operator can ask for. */
    public enum Action {
        HALT, RUN, MOVE, MIGRATE, ENABLE_SWITCHING, DISABLE_SWITCHING, MAINTENANCE_ON, MAINTENANCE_OFF,
        HOST_MAINTENANCE_ON, HOST_MAINTENANCE_OFF,
        /**
         * Halt a host ({@code cmhaltnode}): its guests leave it, by live migration first, and it takes
         * no new guest until it runs again.
         */
        HOST_HALT,
        /**
         * Detach a host (Serviceguard's Live Application Detach, {@code cmhaltnode -d}): its guests keep
         * running untouched, and nothing is moved off it or fenced until it runs again.
         */
        HOST_DETACH,
        /** Run a host again ({@code cmrunnode}): attached, out of maintenance, and taking guests again. */
        HOST_RUN,
        /** Stop one application, which then stays stopped until started ({@code cmhaltserv}). */
        STOP_APP,
        /** Start one application an operator stopped ({@code cmrunserv}). */
        START_APP
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.operatorRequest(this);
    }

    @Override
    public String appName() {
        return app;
    }

    @Override
    public String describe() {
        return "operator " + who() + " asks " + action.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + (app == null ? "" : " " + app) + (host == null ? "" : " " + host);
    }
}
