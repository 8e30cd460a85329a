package io.guestguard.policy.core;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Fleet-wide values a decision may need but one guest's log cannot hold: how many guests each host
 * runs (for {@code min_package_node}). The shell reads them from a shared view; the decision records
 * the values it used, so a replay decides with the same ones.
 *
 * @param guestsPerHost guests placed on each host; a host not listed runs none
 */
public record FleetView(SortedMap<String, Integer> guestsPerHost) {

    public static final FleetView EMPTY = new FleetView(Map.of());

    public FleetView {
        guestsPerHost = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(guestsPerHost));
    }

    public FleetView(Map<String, Integer> guestsPerHost) {
        this(new TreeMap<>(guestsPerHost));
    }

    public int load(String host) {
        return guestsPerHost.getOrDefault(host, 0);
    }
}
