package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.FleetView;
import io.guestguard.protocol.GuestPlacement;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * How many guests each host may be running, by the placements view: what {@code min_package_node}
 * chooses by. Kept up to date by the view's updater as each placement arrives, so a decision reads
 * the few hosts it chooses among instead of decoding every guest's placement (O(1) per fact, not
 * O(guests)). The updater (the global thread) writes and the stream threads read, hence the lock.
 * Not final: a test puts a failing one under the processor.
 */
class GuestsPerHost {

    /** The host each guest is counted on: only guests whose placement may run. */
    private final Map<String, String> hostOf = new HashMap<>();
    private final Map<String, Integer> guests = new HashMap<>();
    private boolean counted;

    /** Counts {@code guest} by its newest placement, no longer by the one before. */
    synchronized void placed(String guest, GuestPlacement placement) {
        String host = placement != null && placement.mayRun() ? placement.host() : null;
        String before = host == null ? hostOf.remove(guest) : hostOf.put(guest, host);
        if (host != null && host.equals(before)) {
            return;
        }
        if (before != null) {
            guests.computeIfPresent(before, (h, n) -> n == 1 ? null : n - 1);
        }
        if (host != null) {
            guests.merge(host, 1, Integer::sum);
        }
    }

    /**
     * Counts every placement {@code view} gives, the first time only: from then on the view's updater
     * keeps the counts with each placement it puts, those of a restore included (Kafka Streams restores
     * the view through its updater), so counting a view of 100,000 guests again at the end of a restore
     * would only repeat the same counts.
     */
    synchronized void countOnce(Consumer<BiConsumer<String, GuestPlacement>> view) {
        if (!counted) {
            view.accept(this::placed);
            counted = true;
        }
    }

    /** The view of {@code hosts} only: all that a choice among them reads. */
    synchronized FleetView of(Collection<String> hosts) {
        Map<String, Integer> loads = new TreeMap<>();
        hosts.forEach(h -> {
            Integer n = guests.get(h);
            if (n != null) {
                loads.put(h, n);
            }
        });
        return new FleetView(loads);
    }
}
