package io.guestguard.protocol.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fleet's state as {@code guestguard status} and the console show it (Serviceguard's {@code cmviewcl}, Pacemaker's
 * {@code crm_mon}), worked out from a {@link FleetSnapshot}: each host with its beat's age and guests,
 * each guest with its placement, its package's hosts and policies, each application's restarts used of
 * its limit, and its last decision; and the verdict {@code guestguard status} exits with. This record
 * is also the {@code --json} shape (docs/operations.md).
 *
 * @param readAt when the topics were read
 * @param verdict {@code OK}, {@code DEGRADED} or {@code FAILED}, with {@link #problems} saying why
 * @param problems what makes the fleet degraded or failed, one sentence each
 * @param summary counts of hosts and guests by state
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

    /**
     * @param deadLettersLastHour records some service could not take, within the last hour
     * @param newestBeatAgeMs how old the newest host beat is ({@code null}: none)
     * @param newestDecisionAgeMs how old the newest decision is ({@code null}: none)
     */
    public record Summary(Map<HostState, Integer> hosts, Map<String, Integer> guests, long deadLettersLastHour,
                   Long newestBeatAgeMs, Long newestDecisionAgeMs) {
    }

    public record HostStatus(String host, HostState state, Long beatAgeMs, List<String> guests) {
    }

    /**
     * @param phase the placement's phase ({@code null}: not placed yet)
     * @param hosts the package's hosts in preference order ({@code null} host list: no package)
     */
    public record GuestStatus(String guest, PlacementPhase phase, String host, Long epoch, List<String> hosts, Boolean autoRun,
                       String failoverPolicy, String failbackPolicy, List<AppStatus> apps, LastDecision lastDecision) {
    }

    /**
     * @param restarts failures counted against its restart budget in the current placement
     * @param limit its {@code service_restart} ({@code null}: unlimited)
     */
    public record AppStatus(String app, int restarts, Integer limit, boolean atLimit) {
    }

    public record LastDecision(Instant time, Decision.Action action, String app, String reasonCode, String reason,
                        List<String> causeIds) {
        public static LastDecision of(CloudEvent<Decision> event) {
            Decision d = event.data();
            return new LastDecision(event.time(), d.action(), d.app(), d.reason().code(), d.reason().text(), d.causeIds());
        }
    }

    public static FleetStatus of(FleetSnapshot fleet) {
        Instant now = fleet.readAt();
        List<String> problems = new ArrayList<>();
        boolean failed = false;

        TreeSet<String> hostNames = new TreeSet<>(fleet.hosts().keySet());
        fleet.packages().values().forEach(spec -> hostNames.addAll(spec.hosts()));
        fleet.placements().values().stream().filter(p -> p.host() != null).forEach(p -> hostNames.add(p.host()));
        List<HostStatus> hosts = new ArrayList<>();
        Map<HostState, Integer> hostCounts = new TreeMap<>();
        for (String host : hostNames) {
            FleetSnapshot.HostSeen seen = fleet.hosts().get(host);
            Long age = seen == null ? null : Math.max(0, Duration.between(seen.at(), now).toMillis());
            HostState state = seen == null ? HostState.NEVER_SEEN : seen.left() ? HostState.LEFT
                    : age > SILENT_AFTER.toMillis() ? HostState.SILENT : HostState.UP;
            List<String> placed = fleet.placements().entrySet().stream().filter(e -> e.getValue().mayRunOn(host))
                    .map(Map.Entry::getKey).toList();
            hosts.add(new HostStatus(host, state, age, placed));
            hostCounts.merge(state, 1, Integer::sum);
            if (state == HostState.SILENT && !placed.isEmpty()) {
                problems.add("host " + host + " is silent (last beat " + seconds(age) + " ago) with " + String.join(", ", placed) + " on it");
            } else if (state == HostState.LEFT) {
                problems.add("host " + host + "'s supervisor stopped (it left " + seconds(age) + " ago): detached, not watched");
            }
        }

        TreeSet<String> guestNames = new TreeSet<>(fleet.packages().keySet());
        guestNames.addAll(fleet.placements().keySet());
        List<GuestStatus> guests = new ArrayList<>();
        Map<String, Integer> guestCounts = new TreeMap<>();
        for (String guest : guestNames) {
            PackageSpec spec = fleet.packages().get(guest);
            GuestPlacement p = fleet.placements().get(guest);
            CloudEvent<Decision> last = fleet.decisions().get(guest);
            PlacementPhase phase = p == null ? null : p.phase();
            guestCounts.merge(phase == null ? "UNPLACED" : phase.name(), 1, Integer::sum);
            List<AppStatus> apps = new ArrayList<>();
            if (spec != null) {
                for (PackageSpec.AppPolicy app : spec.applications()) {
                    int used = p == null ? 0 : p.failures().getOrDefault(app.name(), 0);
                    boolean atLimit = app.restartLimit() != null && used >= app.restartLimit();
                    apps.add(new AppStatus(app.name(), used, app.restartLimit(), atLimit));
                    if (atLimit) {
                        problems.add(guest + "/" + app.name() + " used " + used + " of its " + app.restartLimit() + " restarts");
                    }
                }
            }
            boolean haltedOnPurpose = last != null && last.data().reason().code().startsWith("OPERATOR_HALT");
            if (spec != null && spec.autoRun() && (phase == null || phase == PlacementPhase.WAITING
                    || phase == PlacementPhase.DOWN && !haltedOnPurpose)) {
                failed = true;
                problems.add(guest + " runs nowhere (" + (phase == null ? "not placed" : phase) + ")");
            } else if (phase == PlacementPhase.RUNNING && spec != null && !spec.hosts().isEmpty() && !spec.hosts().get(0).equals(p.host())) {
                problems.add(guest + " runs on " + p.host() + ", not on its package's first host " + spec.hosts().get(0));
            } else if (phase != null && phase != PlacementPhase.RUNNING && phase != PlacementPhase.DOWN) {
                problems.add(guest + " is " + phase + (p.host() == null ? "" : " on " + p.host()));
            }
            guests.add(new GuestStatus(guest, phase, p == null ? null : p.host(), p == null ? null : p.epoch(),
                    spec == null ? null : spec.hosts(), spec == null ? null : spec.autoRun(),
                    spec == null ? null : spec.failoverPolicy().name(), spec == null ? null : spec.failbackPolicy().name(),
                    apps, last == null ? null : LastDecision.of(last)));
        }
        Long beatAge = fleet.hosts().values().stream().map(FleetSnapshot.HostSeen::at).max(Instant::compareTo)
                .map(at -> Math.max(0, Duration.between(at, now).toMillis())).orElse(null);
        Long decisionAge = fleet.decisions().values().stream().map(CloudEvent::time).max(Instant::compareTo)
                .map(at -> Math.max(0, Duration.between(at, now).toMillis())).orElse(null);
        Verdict verdict = failed ? Verdict.FAILED : problems.isEmpty() ? Verdict.OK : Verdict.DEGRADED;
        return new FleetStatus(now, verdict, problems, new Summary(hostCounts, guestCounts, fleet.deadLettersLastHour(),
                beatAge, decisionAge), hosts, guests);
    }

    /** {@code ms} as an operator reads an age: {@code 1.2 s}, {@code 42 s}, or {@code never}. */
    public static String seconds(Long ms) {
        return ms == null ? "never" : ms < 10_000 ? String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0) : ms / 1000 + " s";
    }
}
