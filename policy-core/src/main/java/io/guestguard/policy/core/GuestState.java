package io.guestguard.policy.core;

import io.guestguard.protocol.PackageSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the decider remembers about one guest. Immutable; the decider returns a new state.
 * Collections are sorted so that the state serialises (and iterates) the same way in every JVM,
 * which replay depends on.
 *
 * <p>Restart budgets are keyed by application only, inside the guest's state, never by host: a live
 * migration changes the placement and leaves them alone. A failover, a failback or a move starts the
 * guest afresh on its new host, with fresh budgets.
 *
 * @param spec the package as last applied, or {@code null} before the first apply
 * @param placement where the guest runs or is going
 * @param apps each application's budget, by name
 * @param lostHosts hosts known to be lost (until they are available again)
 * @param fencedHosts lost hosts confirmed fenced
 * @param hostsInMaintenance hosts an operator took out of service
 * @param failedTargets hosts that failed the guest during the current move: they could not start it, or
 *                      its applications used up their restart limit there
 * @param switchingEnabled whether the guest may fail over ({@code cmmodpkg -e/-d})
 * @param maintenance whether the package is in maintenance: nothing is restarted or moved
 * @param clockMs the latest fact time seen, in epoch milliseconds: the decider's only clock
 * @param recentFactIds ids of the latest facts, to drop a fact delivered twice
 * @param lastGuestSeq the highest reporter sequence number seen ({@code guestseq}), to drop a fact the
 *                     reporter resent from its outbox however long ago it was first delivered; 0 before any
 */
public record GuestState(PackageSpec spec, Placement placement, SortedMap<String, AppBudget> apps,
                         SortedSet<String> lostHosts, SortedSet<String> fencedHosts,
                         SortedSet<String> hostsInMaintenance, SortedSet<String> failedTargets,
                         boolean switchingEnabled, boolean maintenance, long clockMs, List<String> recentFactIds,
                         long lastGuestSeq) {

    /** How many fact ids are remembered for duplicate detection. */
    static final int REMEMBERED_FACTS = 32;

    public static final GuestState EMPTY = new GuestState(null, Placement.NONE, new TreeMap<String, AppBudget>(),
            new TreeSet<String>(), new TreeSet<String>(), new TreeSet<String>(), new TreeSet<String>(), true, false, 0L,
            List.of(), 0L);

    public GuestState(PackageSpec spec, Placement placement, Map<String, AppBudget> apps, Set<String> lostHosts,
                      Set<String> fencedHosts, Set<String> hostsInMaintenance, Set<String> failedTargets,
                      boolean switchingEnabled, boolean maintenance, long clockMs, List<String> recentFactIds,
                      long lastGuestSeq) {
        this(spec, placement, new TreeMap<>(apps), new TreeSet<>(lostHosts), new TreeSet<>(fencedHosts),
                new TreeSet<>(hostsInMaintenance), new TreeSet<>(failedTargets), switchingEnabled, maintenance, clockMs,
                recentFactIds, lastGuestSeq);
    }

    public GuestState {
        apps = sorted(apps);
        lostHosts = sorted(lostHosts);
        fencedHosts = sorted(fencedHosts);
        hostsInMaintenance = sorted(hostsInMaintenance);
        failedTargets = sorted(failedTargets);
        recentFactIds = List.copyOf(recentFactIds);
    }

    public AppBudget app(String name) {
        return apps.getOrDefault(name, AppBudget.FRESH);
    }

    GuestState withApp(String name, AppBudget budget) {
        Map<String, AppBudget> next = new TreeMap<>(apps);
        next.put(name, budget);
        return withApps(next);
    }

    GuestState withApps(Map<String, AppBudget> next) {
        return new GuestState(spec, placement, next, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, maintenance, clockMs, recentFactIds, lastGuestSeq);
    }

    GuestState withSpec(PackageSpec next) {
        return new GuestState(next, placement, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, maintenance, clockMs, recentFactIds, lastGuestSeq);
    }

    GuestState withPlacement(Placement next) {
        return new GuestState(spec, next, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, maintenance, clockMs, recentFactIds, lastGuestSeq);
    }

    GuestState withHosts(Set<String> lost, Set<String> fenced, Set<String> inMaintenance, Set<String> failed) {
        return new GuestState(spec, placement, apps, lost, fenced, inMaintenance, failed, switchingEnabled,
                maintenance, clockMs, recentFactIds, lastGuestSeq);
    }

    GuestState withFailedTargets(Set<String> failed) {
        return withHosts(lostHosts, fencedHosts, hostsInMaintenance, failed);
    }

    GuestState withSwitching(boolean enabled) {
        return new GuestState(spec, placement, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                enabled, maintenance, clockMs, recentFactIds, lastGuestSeq);
    }

    GuestState withMaintenance(boolean on) {
        return new GuestState(spec, placement, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, on, clockMs, recentFactIds, lastGuestSeq);
    }

    /**
     * Advances the clock to {@code timeMs} (never back), remembers {@code factId} and, for a reporter's
     * fact, its sequence number {@code guestSeq} (the decider has checked it is new).
     */
    GuestState seen(String factId, long timeMs, Long guestSeq) {
        List<String> ids = new ArrayList<>(recentFactIds);
        ids.add(factId);
        if (ids.size() > REMEMBERED_FACTS) {
            ids.remove(0);
        }
        return new GuestState(spec, placement, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, maintenance, Math.max(clockMs, timeMs), ids,
                guestSeq != null ? guestSeq : lastGuestSeq);
    }

    private static <V> SortedMap<String, V> sorted(Map<String, V> map) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }

    private static SortedSet<String> sorted(Set<String> set) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(set));
    }

    /**
     * One application's restart budget.
     *
     * @param failureTimesMs times of the failures that still count (inside the failure window),
     *                       oldest first
     * @param lastFailedPid the pid of the last failure counted, so a second report of the same
     *                      failure is not counted twice (0 when none)
     */
    public record AppBudget(List<Long> failureTimesMs, long lastFailedPid) {
        public static final AppBudget FRESH = new AppBudget(List.of(), 0);

        /** Failures kept per application at most (only an unlimited budget gets near it). */
        public static final int MAX_REMEMBERED = 256;

        public AppBudget {
            failureTimesMs = List.copyOf(failureTimesMs);
        }

        /** Restarts counted so far. */
        public int failures() {
            return failureTimesMs.size();
        }
    }
}
