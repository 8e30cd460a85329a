package io.guestguard.protocol;

import java.util.Map;
import java.util.TreeMap;

/**
 * A guest's current placement on the compacted {@code placements.v1} topic: where it runs or is
 * going, at which epoch, and how much of each application's restart budget is used. The policy
 * engine writes it in the same transaction as the decisions that changed it; it is also the shared
 * view from which {@code min_package_node} counts guests per host.
 *
 * @param host the host of the current placement, or {@code null} if never placed
 * @param epoch the placement's epoch
 * @param phase what the placement is doing (on the wire, the constant's name: {@code DOWN}, {@code RUNNING}...)
 * @param failures failures counted against each application's restart budget
 */
public record GuestPlacement(String host, long epoch, PlacementPhase phase, Map<String, Integer> failures) implements Payload {
    public GuestPlacement {
        failures = failures == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(failures));
    }

    /**
     * Whether the guest may be running on {@link #host()} (it counts towards that host's load): a
     * host is named and the {@linkplain PlacementPhase#mayRun() phase may run}.
     */
    public boolean mayRun() {
        return host != null && phase != null && phase.mayRun();
    }

    /** Whether the guest may be running on {@code someHost}: {@link #mayRun()} there. */
    public boolean mayRunOn(String someHost) {
        return mayRun() && host.equals(someHost);
    }
}
