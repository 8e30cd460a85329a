package io.guestguard.protocol.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageSpec;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the fleet's topics say at one moment ({@link FleetFold} folds them): each guest's package
 * ({@code packages.v1}) and placement ({@code placements.v1}), the last decision about each guest
 * ({@code decisions.v1}), each host's last beat or leaving ({@code host-heartbeats.v1}, by its append
 * time), and the dead letters of the last hour. {@link FleetStatus} works out what it means.
 *
 * @param packages each guest's package as last applied
 * @param placements each guest's placement as the engine last wrote it
 * @param decisions the last decision about each guest
 * @param hosts each host's last record on its beats' topic
 * @param deadLettersLastHour dead letters appended within the hour before {@code readAt}
 * @param readAt when the topics were read (the reader's clock)
 */
public record FleetSnapshot(Map<String, PackageSpec> packages, Map<String, GuestPlacement> placements,
                            Map<String, CloudEvent<Decision>> decisions, Map<String, HostSeen> hosts, long deadLettersLastHour,
                            Instant readAt) {

    /**
     * A host's last record: a beat with its guests, or its leaving.
     *
     * @param at the broker's append time
     * @param guests the guests it said it runs (empty for a leaving)
     * @param left whether the record is its supervisor's leaving (a stop on purpose)
     */
    public record HostSeen(Instant at, List<String> guests, boolean left) {
    }
}
