package io.guestguard.policy.core;

import io.guestguard.protocol.GuestPlacement;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a guest's state shows on the compacted {@code placements.v1} topic ({@link GuestPlacement}):
 * the engine writes it whenever it differs from the one of the state before, the simulated fleet and
 * the benchmarks as the engine does. Only what the state holds, so the same facts give the same record.
 */
public final class PlacementRecord {

    private PlacementRecord() {
    }

    public static GuestPlacement of(GuestState state) {
        Placement p = state.placement();
        Map<String, Integer> failures = new TreeMap<>();
        Map<String, GuestPlacement.AppFailures> apps = new TreeMap<>();
        state.apps().forEach((app, budget) -> {
            failures.put(app, budget.failures());
            if (budget.failures() > 0 || budget.lastFailure() != null) {
                apps.put(app, new GuestPlacement.AppFailures(budget.failureTimesMs(), budget.lastFailure()));
            }
        });
        KnownHosts hosts = state.hosts();
        return new GuestPlacement(p.host(), p.epoch(), p.phase(), failures,
                p.motive() == Placement.Motive.NONE ? null : p.motive().name(),
                !state.switchingEnabled(), state.maintenance(), state.migration(),
                hosts.lost(), hosts.fenced(), hosts.inMaintenance(), hosts.detached(), apps);
    }
}
