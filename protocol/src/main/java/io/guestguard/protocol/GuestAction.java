package io.guestguard.protocol;

/**
 * What an operator may ask of a whole guest package, as Serviceguard's {@code cmhaltpkg},
 * {@code cmrunpkg} and {@code cmmodpkg}, plus a live migration, with the one rule of which of them
 * name a host: the CLI ({@code guestguard guest}) and the console build their requests here, so both
 * write the same {@link OperatorRequest}.
 */
public enum GuestAction {
    /** Halt the guest where it runs; it stays down until run again. */
    HALT(OperatorRequest.Action.HALT, Target.NONE),
    /** Start a guest that is down: on the host given, else on the first eligible host. */
    RUN(OperatorRequest.Action.RUN, Target.OPTIONAL),
    /** Halt the guest, then start it on the host given, with fresh restart budgets. */
    MOVE(OperatorRequest.Action.MOVE, Target.REQUIRED),
    /** Live-migrate the running guest to the host given; its restart budgets go with it. */
    MIGRATE(OperatorRequest.Action.MIGRATE, Target.REQUIRED),
    /** Disable switching ({@code cmmodpkg -d}): nothing fails the guest over until it is enabled again. */
    DISABLE_SWITCHING(OperatorRequest.Action.DISABLE_SWITCHING, Target.NONE),
    /** Enable switching again ({@code cmmodpkg -e}): a failover it held is carried out now. */
    ENABLE_SWITCHING(OperatorRequest.Action.ENABLE_SWITCHING, Target.NONE);

    /** Whether an action names a host. */
    public enum Target { NONE, OPTIONAL, REQUIRED }

    private final OperatorRequest.Action request;
    private final Target target;

    GuestAction(OperatorRequest.Action request, Target target) {
        this.request = request;
        this.target = target;
    }

    public Target target() {
        return target;
    }

    /** {@code halt}, {@code run}, {@code disable-switching}, ...: as the CLI and the console name it. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The action named {@code word} as {@link #word()} names it, if any. */
    public static java.util.Optional<GuestAction> byWord(String word) {
        return java.util.Arrays.stream(values()).filter(a -> a.word().equals(word)).findFirst();
    }

    /**
     * The request {@code operator} makes.
     *
     * @param host the host, or {@code null}: given exactly when {@link #target()} allows it
     * @throws IllegalArgumentException when the host is missing, not allowed, or not a valid name
     */
    public OperatorRequest request(String host, String operator) {
        if (host == null && target == Target.REQUIRED) {
            throw new IllegalArgumentException(word() + " needs a host: the host to " + word() + " the guest to");
        }
        if (host != null && target == Target.NONE) {
            throw new IllegalArgumentException(word() + " takes no host" + (this == HALT ? ": a guest is halted where it runs" : ""));
        }
        if (host != null) {
            Names.require("host", host);
        }
        return new OperatorRequest(request, host, operator);
    }
}
