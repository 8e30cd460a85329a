package io.guestguard.protocol.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fleet's state as {@code guestguard status} and the console show it (Serviceguard's {@code cmviewcl}, Pacemaker's
 * {@code crm_mon}), worked out from a {@link FleetSnapshot} and, when the reader could ask the cluster,
 * the policy engine's consumer group ({@link Engine}): each host with its beat's age, guests and what
 * the guests' states know of it (lost, fenced, in maintenance, detached), each guest with its placement,
 * what it is doing ({@link GuestActivity}), switching, maintenance, a migration under way, its package's
 * hosts and policies, each application's restarts used of its limit, failures in its window, last failure
 * and backoff, and its last decision; and the verdict {@code guestguard status} exits with. This record
 * is also the {@code --json} shape (docs/operations.md): fields are added, never renamed or removed.
 *
 * @param readAt when the topics were read
 * @param verdict {@code OK}, {@code DEGRADED} or {@code FAILED}, with {@link #problems} saying why
 * @param problems what makes the fleet degraded or failed, one sentence each
 * @param summary counts of hosts and guests by state, freshness, the engine
 * @param hosts every host a package, a placement or a beat names
 * @param guests every guest with a package or a placement
 */
public record FleetStatus(Instant readAt, Verdict verdict, List<String> problems, Summary summary, List<HostStatus> hosts,
                   List<GuestStatus> guests) {

    /** A host whose last beat is older than this is silent (the engine's host timeout is 1 s by default). */
    public static final Duration SILENT_AFTER = Duration.ofSeconds(3);

    public enum Verdict {
        OK(0), DEGRADED(1), FAILED(2);

        /** What {@code guestguard status} exits with. */
        public final int exitCode;

        Verdict(int exitCode) {
            this.exitCode = exitCode;
        }
    }

    /** How a host looks from its beats: beating, silent, or its supervisor stopped on purpose (left). */
    public enum HostState { UP, SILENT, LEFT, NEVER_SEEN }

    /** What the guests' states know of a host (any guest's: each knows the hosts its package names). */
    public enum HostMark { LOST, FENCED, IN_MAINTENANCE, DETACHED }

    /**
     * @param hosts hosts counted by {@link HostState}
     * @param guests guests counted by their placement's phase ({@code UNPLACED}: none)
     * @param deadLettersLastHour records some service could not take, within the last hour
     * @param newestBeatAgeMs how old the newest host beat is ({@code null}: none)
     * @param newestDecisionAgeMs how old the newest decision is ({@code null}: none)
     * @param hostMarks hosts counted by {@link HostMark} (a host may have two: lost and fenced)
     * @param guestActivities guests counted by {@link GuestActivity}
     * @param engine the policy engine's consumer group on the guest log, or {@code null} when not asked
     */
    public record Summary(Map<HostState, Integer> hosts, Map<String, Integer> guests, long deadLettersLastHour,
                   Long newestBeatAgeMs, Long newestDecisionAgeMs, Map<HostMark, Integer> hostMarks,
                   Map<GuestActivity, Integer> guestActivities, Engine engine) {
    }

    /**
     * The policy engine as its consumer group on the guest log shows it: how many facts wait for it,
     * and whether any instance is there to decide them.
     *
     * @param group the consumer group (the engine's Kafka Streams {@code application.id})
     * @param lag facts on the guest log past the group's committed offsets ({@code null}: unknown)
     * @param activeMembers the group's members ({@code null}: unknown)
     * @param error why the group could not be read, or {@code null}
     */
    public record Engine(String group, Long lag, Integer activeMembers, String error) {

        /** Facts wait and no instance of the engine is in its group: nothing decides them. */
        public boolean silent() {
            return lag != null && lag > 0 && activeMembers != null && activeMembers == 0;
        }

        /** No instance is in the group, though nothing waits yet. */
        public boolean absent() {
            return activeMembers != null && activeMembers == 0 && !silent();
        }

        public static Engine unreadable(String group, String error) {
            return new Engine(group, null, null, error);
        }
    }

    /**
     * @param marks what the guests' states know of the host
     */
    public record HostStatus(String host, HostState state, Long beatAgeMs, List<String> guests, SortedSet<HostMark> marks) {
    }

    /**
     * @param phase the placement's phase ({@code null}: not placed yet)
     * @param hosts the package's hosts in preference order ({@code null} host list: no package)
     * @param activity what the guest is doing
     * @param motive why it is moving or down, as its placement says ({@code null}: none, or an engine that did not say)
     * @param switchingEnabled whether it may fail over: {@code false} when an operator disabled switching or halted it
     *                         (as {@code cmhaltpkg} disables a package's switching); {@code null}: not placed
     * @param packageMaintenance the package is in maintenance: nothing is restarted or moved
     * @param migration a live migration under way, or {@code null}
     * @param lostHosts hosts its state knows lost; {@code fencedHosts}, {@code hostsInMaintenance}, {@code detachedHosts} likewise
     */
    public record GuestStatus(String guest, PlacementPhase phase, String host, Long epoch, List<String> hosts, Boolean autoRun,
                       String failoverPolicy, String failbackPolicy, List<AppStatus> apps, LastDecision lastDecision,
                       GuestActivity activity, String motive, Boolean switchingEnabled, boolean packageMaintenance,
                       Migration migration, SortedSet<String> lostHosts, SortedSet<String> fencedHosts,
                       SortedSet<String> hostsInMaintenance, SortedSet<String> detachedHosts) {
    }

    /** A live migration under way: from, to, since when it was asked for. */
    public record Migration(String from, String to, Instant since) {
    }

    /**
     * @param restarts failures counted against its restart budget in the current placement
     * @param limit its {@code service_restart} ({@code null}: unlimited)
     * @param atLimit its next failure fails the guest over: {@code restarts} reached the limit and those
     *                failures are still inside the failure window
     * @param failureWindowMs its {@code failure_window} ({@code null}: never, or no package)
     * @param failuresInWindow the failures counted that are still inside the window now ({@code null}:
     *                         unknown, a placement from an engine that did not say)
     * @param lastFailure its last failure counted, or {@code null}
     * @param backoffUntil when its pending restart is due, after its backoff; {@code null}: none pending
     */
    public record AppStatus(String app, int restarts, Integer limit, boolean atLimit, Long failureWindowMs,
                            Integer failuresInWindow, LastFailure lastFailure, Instant backoffUntil) {
    }

    /**
     * @param noticedBy how: {@code exit} (it ended or was killed), or the check that failed it
     *                  ({@code start}, {@code monitor}, {@code stop}: an OCF or script action; {@code probe})
     * @param cause in words: {@code SIGKILL}, {@code exit 3}, {@code monitor: OCF_NOT_RUNNING (7)}
     */
    public record LastFailure(Instant time, Long pid, Integer exitCode, String signal, String check, String detail,
                              String noticedBy, String cause) {
        static LastFailure of(GuestPlacement.LastFailure f) {
            return new LastFailure(Instant.ofEpochMilli(f.atMs()), f.pid(), f.exitCode(), f.signal(), f.check(), f.detail(),
                    f.noticedBy(), f.cause());
        }
    }

    public record LastDecision(Instant time, Decision.Action action, String app, String reasonCode, String reason,
                        List<String> causeIds) {
        public static LastDecision of(CloudEvent<Decision> event) {
            Decision d = event.data();
            return new LastDecision(event.time(), d.action(), d.app(), d.reason().code(), d.reason().text(), d.causeIds());
        }
    }

    /** The status without the engine's group (the console, which does not ask the cluster). */
    public static FleetStatus of(FleetSnapshot fleet) {
        return of(fleet, null);
    }

    /** The status, with the engine's group as read by the caller ({@code null}: not asked). */
    public static FleetStatus of(FleetSnapshot fleet, Engine engine) {
        Instant now = fleet.readAt();
        Problems problems = new Problems();

        Map<String, SortedSet<HostMark>> marks = HostMarks.of(fleet.placements().values());
        TreeSet<String> hostNames = new TreeSet<>(fleet.hosts().keySet());
        fleet.packages().values().forEach(spec -> hostNames.addAll(spec.hosts()));
        fleet.placements().values().stream().filter(p -> p.host() != null).forEach(p -> hostNames.add(p.host()));
        hostNames.addAll(marks.keySet());
        List<HostStatus> hosts = new ArrayList<>();
        Map<HostState, Integer> hostCounts = new TreeMap<>();
        Map<HostMark, Integer> markCounts = new EnumMap<>(HostMark.class);
        for (String host : hostNames) {
            FleetSnapshot.HostSeen seen = fleet.hosts().get(host);
            Long age = seen == null ? null : Math.max(0, Duration.between(seen.at(), now).toMillis());
            HostState state = seen == null ? HostState.NEVER_SEEN : seen.left() ? HostState.LEFT
                    : age > SILENT_AFTER.toMillis() ? HostState.SILENT : HostState.UP;
            List<String> placed = fleet.placements().entrySet().stream().filter(e -> e.getValue().mayRunOn(host))
                    .map(Map.Entry::getKey).toList();
            SortedSet<HostMark> hostMarks = marks.getOrDefault(host, new TreeSet<>());
            hosts.add(new HostStatus(host, state, age, placed, hostMarks));
            hostCounts.merge(state, 1, Integer::sum);
            hostMarks.forEach(m -> markCounts.merge(m, 1, Integer::sum));
            problems.host(host, state, age, placed, hostMarks);
        }

        TreeSet<String> guestNames = new TreeSet<>(fleet.packages().keySet());
        guestNames.addAll(fleet.placements().keySet());
        List<GuestStatus> guests = new ArrayList<>();
        Map<String, Integer> guestCounts = new TreeMap<>();
        Map<GuestActivity, Integer> activityCounts = new EnumMap<>(GuestActivity.class);
        for (String guest : guestNames) {
            GuestStatus g = GuestStatuses.of(guest, fleet.packages().get(guest), fleet.placements().get(guest),
                    fleet.decisions().get(guest), now);
            guests.add(g);
            guestCounts.merge(g.phase() == null ? "UNPLACED" : g.phase().name(), 1, Integer::sum);
            activityCounts.merge(g.activity(), 1, Integer::sum);
            problems.guest(g, fleet.packages().get(guest));
        }
        if (engine != null) {
            problems.engine(engine);
        }
        Long beatAge = fleet.hosts().values().stream().map(FleetSnapshot.HostSeen::at).max(Instant::compareTo)
                .map(at -> Math.max(0, Duration.between(at, now).toMillis())).orElse(null);
        Long decisionAge = fleet.decisions().values().stream().map(CloudEvent::time).max(Instant::compareTo)
                .map(at -> Math.max(0, Duration.between(at, now).toMillis())).orElse(null);
        return new FleetStatus(now, problems.verdict(), problems.list(), new Summary(hostCounts, guestCounts,
                fleet.deadLettersLastHour(), beatAge, decisionAge, markCounts, activityCounts, engine), hosts, guests);
    }

    /** {@code ms} as an operator reads an age: {@code 1.2 s}, {@code 42 s}, or {@code never}. */
    public static String seconds(Long ms) {
        return ms == null ? "never" : ms < 10_000 ? String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0) : ms / 1000 + " s";
    }
}
