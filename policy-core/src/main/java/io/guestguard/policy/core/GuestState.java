package io.guestguard.policy.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;

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
 * @param hostsInMaintenance hosts an operator took out of service (maintenance, or halted)
 * @param detachedHosts hosts an operator detached (written only when there is one, so a state without
 *                      reads the same to a release that predates detaching)
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
 * @param migration the live migration asked for and not over yet, or {@code null}: it decides nothing (a
 *                  migration changes the placement only once it completes), it is there to be shown
 */
public record GuestState(PackageSpec spec, Placement placement, SortedMap<String, AppBudget> apps,
                         SortedSet<String> lostHosts, SortedSet<String> fencedHosts,
                         SortedSet<String> hostsInMaintenance,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) SortedSet<String> detachedHosts,
                         SortedSet<String> failedTargets, boolean switchingEnabled, boolean maintenance, long clockMs, RecentFacts recentFacts,
                         GuestSeqs guestSeqs, FenceWatch fence, GuestPlacement.Migration migration) {

    /**
     * The format of this record as the engine stores it ({@code "format"} in the stored JSON): raised
     * when a field is added that an engine of the previous format must not ignore, or a field's meaning
     * changes, so that such an engine (a standby not upgraded yet, or one rolled back to) quarantines
     * the state instead of deciding on half of it. A new field it may ignore keeps the format. Format 0,
     * a state stored before formats, is the same shape as format 1.
     */
    public static final int FORMAT = 1;

    /** Applications a guest without a package gets budgets for, at most (with the default policy). */
    public static final int MAX_APPS_WITHOUT_PACKAGE = 16;
    /** Hosts an operator may put in maintenance for a guest without a package, at most (kept for its package). */
    public static final int MAX_HOSTS_WITHOUT_PACKAGE = 16;

    private static final Class<?> READ_ONLY_MAP = Collections.unmodifiableSortedMap(new TreeMap<String, Object>()).getClass();

    public static final GuestState EMPTY = new GuestState(null, Placement.NONE, new TreeMap<String, AppBudget>(),
            new TreeSet<String>(), new TreeSet<String>(), new TreeSet<String>(), new TreeSet<String>(), new TreeSet<String>(),
            true, false, 0L,
            RecentFacts.NONE, GuestSeqs.NONE, null, null);

    public GuestState(PackageSpec spec, Placement placement, Map<String, AppBudget> apps, Set<String> lostHosts,
                      Set<String> fencedHosts, Set<String> hostsInMaintenance, Set<String> detachedHosts,
                      Set<String> failedTargets, boolean switchingEnabled, boolean maintenance, long clockMs,
                      RecentFacts recentFacts, GuestSeqs guestSeqs, FenceWatch fence, GuestPlacement.Migration migration) {
        this(spec, placement, sorted(apps), sorted(lostHosts), sorted(fencedHosts), sorted(hostsInMaintenance),
                sorted(detachedHosts), sorted(failedTargets), switchingEnabled, maintenance, clockMs, recentFacts, guestSeqs,
                fence, migration);
    }

    /** A state stored before a field existed reads with that field empty. */
    public GuestState {
        placement = placement == null ? Placement.NONE : placement;
        apps = sorted(apps);
        lostHosts = sorted(lostHosts == null ? Set.of() : lostHosts);
        fencedHosts = sorted(fencedHosts == null ? Set.of() : fencedHosts);
        hostsInMaintenance = sorted(hostsInMaintenance == null ? Set.of() : hostsInMaintenance);
        detachedHosts = sorted(detachedHosts == null ? Set.of() : detachedHosts);
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
        return placement.phase() == PlacementPhase.FENCING && fence != null && fence.dueMs() != null
                ? java.util.OptionalLong.of(fence.dueMs()) : java.util.OptionalLong.empty();
    }

    /** What the state knows of hosts: lost, fenced, in maintenance, detached, failed during this move. */
    public KnownHosts hosts() {
        return new KnownHosts(lostHosts, fencedHosts, hostsInMaintenance, detachedHosts, failedTargets);
    }

    /**
     * The hosts that may hold this guest, and so report about it: those its package names, the one it
     * is placed on and the one it is going to. Empty for a guest with neither package nor placement.
     */
    public SortedSet<String> hostsThatMayHoldIt() {
        SortedSet<String> hosts = new TreeSet<>();
        if (spec != null) {
            hosts.addAll(spec.hosts());
        }
        if (placement.host() != null) {
            hosts.add(placement.host());
        }
        if (placement.nextHost() != null) {
            hosts.add(placement.nextHost());
        }
        return hosts;
    }

    // ---- transitions: each returns the next state ----

    /** A package is applied: it replaces the last one, and only the budgets of the applications it names stay. */
    GuestState applied(PackageSpec next) {
        TreeMap<String, AppBudget> kept = new TreeMap<>(apps);
        kept.keySet().retainAll(next.applications().stream().map(PackageSpec.AppPolicy::name).toList());
        return edit().spec(next).apps(frozen(kept)).done();
    }

    /** The placement changes; restart budgets stay (a halt, a fence, a live migration). */
    GuestState placed(Placement next) {
        return edit().placement(next).done();
    }

    /** The guest starts afresh at {@code next}, with fresh restart budgets, as Serviceguard's package start does. */
    GuestState startedAfresh(Placement next) {
        return edit().placement(next).apps(EMPTY.apps).done();
    }

    /** {@code app}'s budget after a failure was counted. */
    GuestState failureCounted(String app, AppBudget budget) {
        TreeMap<String, AppBudget> next = new TreeMap<>(apps);
        next.put(app, budget);
        return edit().apps(frozen(next)).done();
    }

    /** What it knows of hosts changed. */
    GuestState knowing(KnownHosts next) {
        return edit().hosts(next).done();
    }

    /** Switching enabled or disabled ({@code cmmodpkg -e/-d}). */
    GuestState switching(boolean enabled) {
        return edit().switchingEnabled(enabled).done();
    }

    /** The package put in or out of maintenance. */
    GuestState packageMaintenance(boolean on) {
        return edit().maintenance(on).done();
    }

    /** The guest waits for a fence: {@code watch} says how often it was asked and when it is due. */
    GuestState awaitingFence(FenceWatch watch) {
        return edit().fence(watch).done();
    }

    /** A live migration was asked for (its placement stays until it completes). */
    GuestState migrating(GuestPlacement.Migration asked) {
        return edit().migration(asked).done();
    }

    /** The live migration asked for is over without completing (it failed, or its command was refused). */
    GuestState migrationOver() {
        return migration == null ? this : edit().migration(null).done();
    }

    /** The fence it waited for is over, one way or another. */
    GuestState fenceOver() {
        return edit().fence(null).done();
    }

    /**
     * Advances the clock to {@code decisionTimeMs} (never back) and remembers the fact of
     * {@code factKey} ({@link RecentFacts#key}) and {@code guestSeq} as seen then, and the sequence
     * numbers decided on as {@code numbers} ({@link Numbering}): one transition, as it is one per fact.
     */
    GuestState seen(String factKey, Long guestSeq, long decisionTimeMs, GuestSeqs numbers) {
        long clock = Math.max(clockMs, decisionTimeMs);
        return edit().clockMs(clock).recentFacts(recentFacts.with(factKey, guestSeq, clock)).guestSeqs(numbers).done();
    }

    /**
     * Keeps the host sets to the hosts that matter to this guest: those its package names and the
     * host of its placement, whatever hosts the facts named. Without a package, the lost, fenced and
     * failed sets keep the placement's host only, and the hosts an operator put in maintenance stay
     * (at most {@value #MAX_HOSTS_WITHOUT_PACKAGE}) until a package says which hosts matter.
     */
    GuestState hostsBounded() {
        if (lostHosts.isEmpty() && fencedHosts.isEmpty() && hostsInMaintenance.isEmpty() && detachedHosts.isEmpty()
                && failedTargets.isEmpty()) {
            return this; // the usual case, checked without building anything
        }
        KnownHosts known = hosts();
        Set<String> relevant = new TreeSet<>(spec == null ? List.of() : spec.hosts());
        if (placement.host() != null) {
            relevant.add(placement.host());
        }
        KnownHosts kept = known.keptTo(relevant, spec != null);
        return kept == known ? this : knowing(kept);
    }

    private Edit edit() {
        return new Edit(this);
    }

    /** One transition's changes, on the fields of the state it starts from; {@link #done} builds the next state. */
    private static final class Edit {
        private PackageSpec spec;
        private Placement placement;
        private SortedMap<String, AppBudget> apps;
        private SortedSet<String> lost, fenced, inMaintenance, detached, failed;
        private boolean switchingEnabled, maintenance;
        private long clockMs;
        private RecentFacts recentFacts;
        private GuestSeqs guestSeqs;
        private FenceWatch fence;
        private GuestPlacement.Migration migration;

        Edit(GuestState from) {
            spec = from.spec;
            placement = from.placement;
            apps = from.apps;
            lost = from.lostHosts; // the fields themselves, not hosts(): this runs on every fact
            fenced = from.fencedHosts;
            inMaintenance = from.hostsInMaintenance;
            detached = from.detachedHosts;
            failed = from.failedTargets;
            switchingEnabled = from.switchingEnabled;
            maintenance = from.maintenance;
            clockMs = from.clockMs;
            recentFacts = from.recentFacts;
            guestSeqs = from.guestSeqs;
            fence = from.fence;
            migration = from.migration;
        }

        Edit spec(PackageSpec next) { spec = next; return this; }
        Edit placement(Placement next) { placement = next; return this; }
        Edit apps(SortedMap<String, AppBudget> next) { apps = next; return this; }
        Edit switchingEnabled(boolean next) { switchingEnabled = next; return this; }
        Edit maintenance(boolean next) { maintenance = next; return this; }
        Edit clockMs(long next) { clockMs = next; return this; }
        Edit recentFacts(RecentFacts next) { recentFacts = next; return this; }
        Edit guestSeqs(GuestSeqs next) { guestSeqs = next; return this; }
        Edit fence(FenceWatch next) { fence = next; return this; }
        Edit migration(GuestPlacement.Migration next) { migration = next; return this; }

        Edit hosts(KnownHosts next) {
            lost = next.lost();
            fenced = next.fenced();
            inMaintenance = next.inMaintenance();
            detached = next.detached();
            failed = next.failedTargets();
            return this;
        }

        GuestState done() {
            // A migration is under way only while the guest still runs where it was asked to leave:
            // completed (the placement moved) or overtaken (a halt, a failover), it is over.
            GuestPlacement.Migration underWay = migration != null && migration.from().equals(placement.host())
                    && placement.phase() == PlacementPhase.RUNNING ? migration : null;
            return new GuestState(spec, placement, apps, lost, fenced, inMaintenance, detached, failed, switchingEnabled,
                    maintenance, clockMs, recentFacts, guestSeqs, fence, underWay);
        }
    }

    /**
     * Read-only and sorted: a map already made so is taken as it is, so that a transition copies only
     * what it changes (copying every collection on every fact was a fifth of the decider's time).
     */
    private static <V> SortedMap<String, V> sorted(Map<String, V> map) {
        if (map != null && map.getClass() == READ_ONLY_MAP && ((SortedMap<String, V>) map).comparator() == null) {
            return (SortedMap<String, V>) map;
        }
        return frozen(new TreeMap<>(map == null ? Map.of() : map));
    }

    /** {@code map}, read-only: for a map this class just built and shares with no one. */
    private static <V> SortedMap<String, V> frozen(TreeMap<String, V> map) {
        return Collections.unmodifiableSortedMap(map);
    }

    private static SortedSet<String> sorted(Set<String> set) {
        return KnownHosts.sorted(set); // read-only and sorted: a set already made so is taken as it is
    }

    /**
     * One application's restart budget.
     *
     * @param failureTimesMs times of the failures that still count (inside the failure window),
     *                       oldest first
     * @param lastFailedPid the pid of the last failure counted, so a second report of the same
     *                      failure is not counted twice (0 when none)
     * @param lastFailure the last failure counted, as reported, for people ({@code guestguard status});
     *                    {@code null} in a state stored before it was kept. It decides nothing.
     */
    public record AppBudget(List<Long> failureTimesMs, long lastFailedPid, GuestPlacement.LastFailure lastFailure) {
        public static final AppBudget FRESH = new AppBudget(List.of(), 0, null);

        /** Failures kept per application at most (only an unlimited budget gets near it). */
        public static final int MAX_REMEMBERED = 256;

        public AppBudget {
            failureTimesMs = List.copyOf(failureTimesMs);
        }

        /** A budget of counted failures whose details are not known (a state rebuilt from its placement). */
        public AppBudget(List<Long> failureTimesMs, long lastFailedPid) {
            this(failureTimesMs, lastFailedPid, null);
        }

        /** Restarts counted so far. */
        public int failures() {
            return failureTimesMs.size();
        }

        /** Whether a failure of {@code pid} is the last one counted, reported again. */
        boolean counted(Long pid) {
            return pid != null && lastFailedPid == pid;
        }

        /**
         * The budget after {@code failed} was counted at {@code atMs} (the decider's clock): the
         * failures older than {@code windowMs} ({@code null}: none expire) no longer count, and at most
         * {@value #MAX_REMEMBERED} are kept.
         */
        AppBudget failedAt(long atMs, Long windowMs, AppFailed failed) {
            Long pid = failed.pid();
            List<Long> times = new java.util.ArrayList<>(failureTimesMs.size() + 1);
            long horizon = windowMs == null ? Long.MIN_VALUE : atMs - windowMs;
            for (Long t : failureTimesMs) {
                if (t >= horizon) {
                    times.add(t);
                }
            }
            times.add(atMs);
            times.sort(null);
            while (times.size() > MAX_REMEMBERED) {
                times.remove(0);
            }
            return new AppBudget(times, pid == null ? 0 : pid, new GuestPlacement.LastFailure(atMs, pid, failed.exitCode(),
                    failed.signal(), failed.check(), failed.detail(), null));
        }

        /** The same budget, its last failure's restart due at {@code restartAtMs}, after its backoff. */
        AppBudget restartDueAt(long restartAtMs) {
            GuestPlacement.LastFailure f = lastFailure;
            return new AppBudget(failureTimesMs, lastFailedPid, new GuestPlacement.LastFailure(f.atMs(), f.pid(), f.exitCode(),
                    f.signal(), f.check(), f.detail(), restartAtMs));
        }
    }
}
