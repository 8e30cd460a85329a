package io.guestguard.cli;

import io.guestguard.protocol.fleet.FleetSnapshot;

import java.util.TreeSet;

/**
 * The guests a host command concerns, from the engine's compacted topics as they are now: those placed
 * on the host ({@code placements.v1}) and those whose package lists it ({@code packages.v1}). These two
 * topics only say whom to tell: the decider checks every request against the guest's own state.
 *
 * @param placedThere the guests placed on the host (running, starting, halting or being fenced there)
 * @param listingIt the other guests whose package lists the host
 */
record GuestsOfHost(TreeSet<String> placedThere, TreeSet<String> listingIt) {

    static GuestsOfHost of(FleetSnapshot fleet, String host) {
        TreeSet<String> placed = new TreeSet<>();
        fleet.placements().forEach((guest, p) -> {
            if (p.mayRunOn(host)) {
                placed.add(guest);
            }
        });
        TreeSet<String> listing = new TreeSet<>();
        fleet.packages().forEach((guest, spec) -> {
            if (!placed.contains(guest) && spec.hosts().contains(host)) {
                listing.add(guest);
            }
        });
        return new GuestsOfHost(placed, listing);
    }

    boolean isEmpty() {
        return placedThere.isEmpty() && listingIt.isEmpty();
    }
}
