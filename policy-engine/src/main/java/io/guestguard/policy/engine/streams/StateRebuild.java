package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.GuestSeqs;
import io.guestguard.policy.core.GuestState.AppBudget;
import io.guestguard.policy.core.Placement;
import io.guestguard.policy.core.RecentFacts;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A guest's state rebuilt from what the engine still knows of it once its stored state could not be
 * read: its package as last applied (the engine keeps it in a store of its own) and its placement as
 * last published on {@code placements.v1} (host, epoch, phase, failures per application). What only
 * the lost state knew is gone: lost, fenced and failed hosts, holds, maintenance, where a move was
 * going, when each failure happened, which facts were seen. So the rebuilt guest keeps its host and
 * epoch (the supervisors' fencing stays right) and its restart budgets (each failure counted again at
 * the time of the rebuild, so it expires one failure window later than it would have), and a person
 * is alerted to check the rest.
 */
final class StateRebuild {

    private StateRebuild() {
    }

    /**
     * @param spec the guest's package, or {@code null} if none is known
     * @param placed its last published placement, or {@code null} if none is known
     * @param atMs the decision time of the fact on which the state was found unreadable
     */
    static GuestState of(PackageSpec spec, GuestPlacement placed, long atMs) {
        if (placed == null) {
            return new GuestState(spec, Placement.NONE, Map.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), true, false,
                    atMs, RecentFacts.NONE, GuestSeqs.NONE, null, null);
        }
        Placement placement = new Placement(placed.host(), placed.epoch(), placed.phase() == null ? PlacementPhase.DOWN : placed.phase(), null, Placement.Motive.NONE);
        Map<String, AppBudget> apps = new TreeMap<>();
        placed.failures().forEach((app, failures) -> {
            if (spec == null || spec.applications().stream().anyMatch(a -> a.name().equals(app))) {
                apps.put(app, new AppBudget(Collections.nCopies(Math.min(Math.max(failures, 0), AppBudget.MAX_REMEMBERED), atMs), 0));
            }
        });
        return new GuestState(spec, placement, apps, Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), true, false, atMs,
                RecentFacts.NONE, GuestSeqs.NONE, null, null);
    }
}
