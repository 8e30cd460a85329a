package io.guestguard.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A guest's current placement on the compacted {@code placements.v1} topic: where it runs or is
 * going, at which epoch, and how much of each application's restart budget is used. The policy
 * engine writes it in the same transaction as the decisions that changed it; it is also the shared
 * view from which {@code min_package_node} counts guests per host, and what {@code guestguard status}
 * and the console show of a guest.
 *
 * <p>The fields after {@code failures} were added later (issue 17) and are each left out of the record
 * when empty, false or null, so the placement of a guest with nothing to say there is the same bytes as
 * before and a reader of the previous release reads every placement as it did.
 *
 * @param host the host of the current placement, or {@code null} if never placed
 * @param epoch the placement's epoch
 * @param phase what the placement is doing (on the wire, the constant's name: {@code DOWN}, {@code RUNNING}...)
 * @param failures failures counted against each application's restart budget
 * @param motive why the guest is moving or down (the decider's {@code Placement.Motive}, e.g.
 *               {@code APP_FAILOVER}, {@code OPERATOR_HALT}); {@code null} when none
 * @param switchingDisabled an operator disabled switching ({@code cmmodpkg -d}): nothing fails it over
 * @param packageMaintenance the package is in maintenance: nothing is restarted or moved
 * @param migration the live migration the engine asked for and that has not completed or failed yet
 * @param lostHosts hosts the guest's state knows lost (fenced ones too)
 * @param fencedHosts lost hosts confirmed fenced
 * @param hostsInMaintenance hosts an operator put in maintenance or halted
 * @param detachedHosts hosts an operator detached
 * @param apps each application's failures in detail, for those that failed since the guest started
 *             on its host
 */
public record GuestPlacement(String host, long epoch, PlacementPhase phase, Map<String, Integer> failures,
                             String motive,
                             @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean switchingDisabled,
                             @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean packageMaintenance,
                             Migration migration,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) SortedSet<String> lostHosts,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) SortedSet<String> fencedHosts,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) SortedSet<String> hostsInMaintenance,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) SortedSet<String> detachedHosts,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, AppFailures> apps) implements Payload {

    public GuestPlacement {
        failures = failures == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(failures));
        lostHosts = sorted(lostHosts);
        fencedHosts = sorted(fencedHosts);
        hostsInMaintenance = sorted(hostsInMaintenance);
        detachedHosts = sorted(detachedHosts);
        apps = apps == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(apps));
    }

    /** A placement as the previous release wrote it: where, which epoch, which phase, failures counted. */
    public GuestPlacement(String host, long epoch, PlacementPhase phase, Map<String, Integer> failures) {
        this(host, epoch, phase, failures, null, false, false, null, null, null, null, null, null);
    }

    /**
     * Whether the guest may be running on {@link #host()} (it counts towards that host's load): a
     * host is named and the {@linkplain PlacementPhase#mayRun() phase may run}.
     */
    public boolean mayRun() {
        return host != null && phase != null && phase.mayRun();
    }

    /** Whether the guest may be running on {@code someHost}: {@link #mayRun()} there. */
    public boolean mayRunOn(String someHost) {
        return mayRun() && host.equals(someHost);
    }

    /** The details of {@code app}'s failures; empty when it has not failed since the guest started on its host. */
    public AppFailures app(String app) {
        return apps.getOrDefault(app, AppFailures.NONE);
    }

    /**
     * A live migration asked for and not over yet: the placement stays on {@code from} until it completes.
     *
     * @param from the host the guest leaves
     * @param to the host it goes to
     * @param sinceMs when the engine asked for it (its clock: the broker's time of the fact), epoch milliseconds
     */
    public record Migration(String from, String to, long sinceMs) {
    }

    /**
     * One application's failures as its restart budget counts them.
     *
     * @param failureTimesMs the times of the failures counted (inside the failure window when they were
     *                       counted), oldest first, epoch milliseconds of the engine's clock
     * @param lastFailure the last failure counted, or {@code null}
     */
    public record AppFailures(@JsonInclude(JsonInclude.Include.NON_EMPTY) List<Long> failureTimesMs, LastFailure lastFailure) {
        public static final AppFailures NONE = new AppFailures(List.of(), null);

        public AppFailures {
            failureTimesMs = failureTimesMs == null ? List.of() : List.copyOf(failureTimesMs);
        }
    }

    /**
     * An application's last failure counted, as its reporter noticed it: exactly one of {@code exitCode},
     * {@code signal} and {@code check} is set, as in {@link AppFailed}.
     *
     * @param atMs when the engine counted it (its clock), epoch milliseconds
     * @param pid the process concerned, or {@code null}
     * @param exitCode the exit status of a process that ended on its own, or {@code null}
     * @param signal the signal that killed it, without {@code SIG}, or {@code null}
     * @param check what found it failed (its {@code start}, {@code monitor} or {@code stop} action, or a {@code probe}), or {@code null}
     * @param detail what the check saw, set exactly when {@code check} is
     * @param restartAtMs when its restart is due after its backoff, or {@code null}: restarted at once, or not restarted
     */
    public record LastFailure(long atMs, Long pid, Integer exitCode, String signal, String check, String detail, Long restartAtMs) {

        /** How it was noticed: {@code exit} (the process ended or was killed), or the check's name. */
        public String noticedBy() {
            return check == null ? "exit" : check;
        }

        /** What went wrong, as {@link AppFailed#cause()} says it: {@code SIGKILL}, {@code exit 3}, {@code monitor: ...}. */
        public String cause() {
            return check != null ? check + ": " + detail : signal != null ? "SIG" + signal : "exit " + exitCode;
        }
    }

    private static SortedSet<String> sorted(Set<String> hosts) {
        return Collections.unmodifiableSortedSet(hosts == null ? new TreeSet<>() : new TreeSet<>(hosts));
    }
}
