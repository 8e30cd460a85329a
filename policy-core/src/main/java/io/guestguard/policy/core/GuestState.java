package io.guestguard.policy.core;

import io.guestguard.protocol.PackageSpec;

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
 * <p>Bounded whatever the facts say (docs/architecture.md, "Bounded state"): budgets only for the
 * applications the package names (without a package, for at most {@value #MAX_APPS_WITHOUT_PACKAGE}),
 * host sets only for the hosts the package names and the placement's host, {@link RecentFacts} and
 * {@link GuestSeqs} bounded by count.
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
 * @param clockMs the decider's clock: the latest decision time seen (the broker's time of the fact's
 *                record, never a time a guest, host or operator stamped), in epoch milliseconds
 * @param recentFacts the latest facts, to drop a fact delivered twice
 * @param guestSeqs the reporter sequence numbers decided on, to drop a fact the reporter resent from
 *                  its outbox however long ago it was first delivered
 * @param fence the fence the guest waits for while its placement is {@code FENCING}, or {@code null}
 */
public record GuestState(PackageSpec spec, Placement placement, SortedMap<String, AppBudget> apps,
                         SortedSet<String> lostHosts, SortedSet<String> fencedHosts,
                         SortedSet<String> hostsInMaintenance, SortedSet<String> failedTargets,
                         boolean switchingEnabled, boolean maintenance, long clockMs, RecentFacts recentFacts,
                         GuestSeqs guestSeqs, FenceWatch fence) {

    /** Applications a guest without a package gets budgets for, at most (with the default policy). */
    public static final int MAX_APPS_WITHOUT_PACKAGE = 16;
    /** Hosts an operator may put in maintenance for a guest without a package, at most (kept for its package). */
    public static final int MAX_HOSTS_WITHOUT_PACKAGE = 16;

    public static final GuestState EMPTY = new GuestState(null, Placement.NONE, new TreeMap<String, AppBudget>(),
            new TreeSet<String>(), new TreeSet<String>(), new TreeSet<String>(), new TreeSet<String>(), true, false, 0L,
            RecentFacts.NONE, GuestSeqs.NONE, null);

    public GuestState(PackageSpec spec, Placement placement, Map<String, AppBudget> apps, Set<String> lostHosts,
                      Set<String> fencedHosts, Set<String> hostsInMaintenance, Set<String> failedTargets,
                      boolean switchingEnabled, boolean maintenance, long clockMs, RecentFacts recentFacts,
                      GuestSeqs guestSeqs, FenceWatch fence) {
        this(spec, placement, new TreeMap<>(apps), new TreeSet<>(lostHosts), new TreeSet<>(fencedHosts),
                new TreeSet<>(hostsInMaintenance), new TreeSet<>(failedTargets), switchingEnabled, maintenance, clockMs,
                recentFacts, guestSeqs, fence);
    }

    /** A state stored before a field existed reads with that field empty. */
    public GuestState {
        placement = placement == null ? Placement.NONE : placement;
        apps = sorted(apps == null ? Map.of() : apps);
        lostHosts = sorted(lostHosts == null ? Set.of() : lostHosts);
        fencedHosts = sorted(fencedHosts == null ? Set.of() : fencedHosts);
        hostsInMaintenance = sorted(hostsInMaintenance == null ? Set.of() : hostsInMaintenance);
        failedTargets = sorted(failedTargets == null ? Set.of() : failedTargets);
        recentFacts = recentFacts == null ? RecentFacts.NONE : recentFacts;
        guestSeqs = guestSeqs == null ? GuestSeqs.NONE : guestSeqs;
    }

    public AppBudget app(String name) {
        return apps.getOrDefault(name, AppBudget.FRESH);
    }

    /**
     * When something is due by the decider's clock (a fence to ask again or to give up on), in epoch
     * milliseconds: the engine then writes a {@code deadline.reached} fact for the guest, so that time
     * reaches the decider through the log.
     */
    public java.util.OptionalLong dueAtMs() {
        return placement.phase() == Placement.Phase.FENCING && fence != null && fence.dueMs() != null
                ? java.util.OptionalLong.of(fence.dueMs()) : java.util.OptionalLong.empty();
    }

    GuestState withApp(String name, AppBudget budget) {
        Map<String, AppBudget> next = new TreeMap<>(apps);
        next.put(name, budget);
        return withApps(next);
    }

    GuestState withApps(Map<String, AppBudget> next) {
        return new GuestState(spec, placement, next, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, maintenance, clockMs, recentFacts, guestSeqs, fence);
    }

    GuestState withSpec(PackageSpec next) {
        return new GuestState(next, placement, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, maintenance, clockMs, recentFacts, guestSeqs, fence);
    }

    GuestState withPlacement(Placement next) {
        return new GuestState(spec, next, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, maintenance, clockMs, recentFacts, guestSeqs, fence);
    }

    GuestState withHosts(Set<String> lost, Set<String> fenced, Set<String> inMaintenance, Set<String> failed) {
        return new GuestState(spec, placement, apps, lost, fenced, inMaintenance, failed, switchingEnabled,
                maintenance, clockMs, recentFacts, guestSeqs, fence);
    }

    GuestState withFailedTargets(Set<String> failed) {
        return withHosts(lostHosts, fencedHosts, hostsInMaintenance, failed);
    }

    GuestState withSwitching(boolean enabled) {
        return new GuestState(spec, placement, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                enabled, maintenance, clockMs, recentFacts, guestSeqs, fence);
    }

    GuestState withMaintenance(boolean on) {
        return new GuestState(spec, placement, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, on, clockMs, recentFacts, guestSeqs, fence);
    }

    GuestState withFence(FenceWatch next) {
        return new GuestState(spec, placement, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, maintenance, clockMs, recentFacts, guestSeqs, next);
    }

    GuestState withGuestSeqs(GuestSeqs next) {
        return new GuestState(spec, placement, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, maintenance, clockMs, recentFacts, next, fence);
    }

    /**
     * Advances the clock to {@code decisionTimeMs} (never back) and remembers the fact of
     * {@code factKey} ({@link RecentFacts#key}) and {@code guestSeq} as seen then.
     */
    GuestState seen(String factKey, Long guestSeq, long decisionTimeMs) {
        long clock = Math.max(clockMs, decisionTimeMs);
        return new GuestState(spec, placement, apps, lostHosts, fencedHosts, hostsInMaintenance, failedTargets,
                switchingEnabled, maintenance, clock, recentFacts.with(factKey, guestSeq, clock), guestSeqs, fence);
    }

    /**
     * Keeps the host sets to the hosts that matter to this guest: those its package names and the
     * host of its placement, whatever hosts the facts named. Without a package, the lost, fenced and
     * failed sets keep the placement's host only, and the hosts an operator put in maintenance stay
     * (at most {@value #MAX_HOSTS_WITHOUT_PACKAGE}) until a package says which hosts matter.
     */
    GuestState withHostsBounded() {
        if (lostHosts.isEmpty() && fencedHosts.isEmpty() && hostsInMaintenance.isEmpty() && failedTargets.isEmpty()) {
            return this; // the usual case, checked without building anything
        }
        Set<String> relevant = new TreeSet<>(spec == null ? List.of() : spec.hosts());
        if (placement.host() != null) {
            relevant.add(placement.host());
        }
        boolean maintenanceKept = spec == null || relevant.containsAll(hostsInMaintenance);
        if (relevant.containsAll(lostHosts) && relevant.containsAll(fencedHosts) && maintenanceKept
                && relevant.containsAll(failedTargets)) {
            return this;
        }
        return withHosts(retained(lostHosts, relevant), retained(fencedHosts, relevant),
                spec == null ? hostsInMaintenance : retained(hostsInMaintenance, relevant), retained(failedTargets, relevant));
    }

    private static Set<String> retained(Set<String> hosts, Set<String> relevant) {
        Set<String> kept = new TreeSet<>(hosts);
        kept.retainAll(relevant);
        return kept;
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

    /**
     * The fence a {@code FENCING} placement waits for: how many times it was asked, and when the
     * decider asks again (or, after the last attempt, gives up and alerts).
     *
     * @param attempts fence commands sent so far for this placement
     * @param dueMs when to ask again or give up, by the decider's clock; {@code null} once it gave up
     */
    public record FenceWatch(int attempts, Long dueMs) {
    }
}
