package io.guestguard.protocol;

/**
 * An operator's request about one guest package, as Serviceguard's {@code cmhaltpkg},
 * {@code cmrunpkg}, {@code cmmodpkg} and maintenance mode. A request about a host (host maintenance)
 * is written once for every guest whose package lists that host.
 *
 * @param action what the operator asks for
 * @param host the host concerned: required for {@code MOVE} and the host actions, optional for
 *             {@code RUN} (the first eligible host when absent), absent otherwise
 * @param operator who asked, for the audit trail
 */
public record OperatorRequest(Action action, String host, String operator) implements Fact {

    /** What an operator can ask for. */
    public enum Action {
        HALT, RUN, MOVE, MIGRATE, ENABLE_SWITCHING, DISABLE_SWITCHING, MAINTENANCE_ON, MAINTENANCE_OFF,
        HOST_MAINTENANCE_ON, HOST_MAINTENANCE_OFF
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.operatorRequest(this);
    }

    @Override
    public String describe() {
        return "operator " + operator + " asks " + action.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + (host == null ? "" : " " + host);
    }
}
