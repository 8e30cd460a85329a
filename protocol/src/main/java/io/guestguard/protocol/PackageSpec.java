package io.guestguard.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Optional;

/**
 * A guest package as applied (Serviceguard's package, for one VM guest): where the guest may run,
 * how a host is chosen, and each application's restart policy. Carried by the
 * {@code package.applied} fact, so a replay sees every configuration the decider saw.
 *
 * @param guest the guest id, also the package's name
 * @param hosts eligible hosts in preference order ({@code node_name} in Serviceguard)
 * @param failoverPolicy how a host is chosen when the guest must move
 * @param failbackPolicy whether the guest returns to a more preferred host by itself
 * @param autoRun whether the decider starts the guest when it is not running anywhere
 * @param waitForFence whether a guest on a lost host waits for that host to be fenced before it
 *                     starts elsewhere; {@code false} is the package's explicit choice to risk it
 * @param applications the guest's applications and their restart policies
 */
public record PackageSpec(String guest, List<String> hosts, FailoverPolicy failoverPolicy, FailbackPolicy failbackPolicy,
                          boolean autoRun, boolean waitForFence, List<AppPolicy> applications) {

    public PackageSpec {
        hosts = List.copyOf(hosts);
        applications = List.copyOf(applications);
    }

    public Optional<AppPolicy> application(String name) {
        for (AppPolicy app : applications) { // a loop, not a stream: the decider asks on every application fact
            if (app.name().equals(name)) {
                return Optional.of(app);
            }
        }
        return Optional.empty();
    }

    /** Serviceguard's {@code failover_policy}. */
    public enum FailoverPolicy {
        /** The first eligible host in the package's order. */
        CONFIGURED_NODE,
        /** The eligible host running the fewest guests. */
        MIN_PACKAGE_NODE
    }

    /** Serviceguard's {@code failback_policy}. */
    public enum FailbackPolicy {
        /** Stay where the guest is until an operator moves it. */
        MANUAL,
        /** Move back as soon as a more preferred host is available. */
        AUTOMATIC
    }

    /**
     * One application: how it runs (kinds are defined by the guest reporter) and how often it may
     * be restarted in place before the guest fails over.
     *
     * <p>How the application runs (its kind and command line) is the guest file's, which the guest
     * reporter reads; the package holds only policy. Records written when packages also carried
     * {@code kind} and {@code command} still read: those two fields are ignored.
     *
     * @param name unique within the guest, the name the guest file gives the application
     * @param restartLimit Serviceguard's {@code service_restart}: restarts allowed, {@code null} for unlimited
     * @param failureWindowMs failures older than this no longer count, {@code null} for never
     * @param backoff the delay before each restart
     */
    @JsonIgnoreProperties({"kind", "command"})
    public record AppPolicy(String name, Integer restartLimit, Long failureWindowMs, Backoff backoff) {
    }

    /**
     * Delay before restart {@code n}: {@code min(initialMs * factor^(n-1), maxMs)}.
     *
     * @param initialMs delay before the first restart
     * @param factor growth per further restart, at least 1
     * @param maxMs the longest delay
     */
    public record Backoff(long initialMs, double factor, long maxMs) {
        public static final Backoff NONE = new Backoff(0, 1, 0);

        public long delayMs(int attempt) {
            double delay = initialMs * Math.pow(factor, Math.max(0, attempt - 1));
            return (long) Math.min(delay, maxMs);
        }
    }
}
