package io.guestguard.protocol.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.fleet.FleetStatus.AppStatus;
import io.guestguard.protocol.fleet.FleetStatus.GuestStatus;
import io.guestguard.protocol.fleet.FleetStatus.LastDecision;
import io.guestguard.protocol.fleet.FleetStatus.LastFailure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** One guest's {@link GuestStatus} from its package, its placement and its last decision, read at a moment. */
final class GuestStatuses {

    private GuestStatuses() {
    }

    static GuestStatus of(String guest, PackageSpec spec, GuestPlacement p, CloudEvent<Decision> last, Instant now) {
        List<AppStatus> apps = new ArrayList<>();
        if (spec != null) {
            spec.applications().forEach(app -> apps.add(app(app, p, now)));
        }
        GuestActivity activity = GuestActivity.of(p);
        if (activity == GuestActivity.DOWN && p.motive() == null && haltedByOperator(last)) {
            activity = GuestActivity.HALTED; // a placement of an engine that did not say why: its last decision does
        }
        Boolean switching = p == null ? null : !p.switchingDisabled() && activity != GuestActivity.HALTED
                && activity != GuestActivity.HALTING;
        return new GuestStatus(guest, p == null ? null : p.phase(), p == null ? null : p.host(), p == null ? null : p.epoch(),
                spec == null ? null : spec.hosts(), spec == null ? null : spec.autoRun(),
                spec == null ? null : spec.failoverPolicy().name(), spec == null ? null : spec.failbackPolicy().name(),
                apps, last == null ? null : LastDecision.of(last), activity, p == null ? null : p.motive(), switching,
                p != null && p.packageMaintenance(),
                p == null || p.migration() == null ? null : new FleetStatus.Migration(p.migration().from(), p.migration().to(),
                        Instant.ofEpochMilli(p.migration().sinceMs())),
                p == null ? new TreeSet<>() : p.lostHosts(), p == null ? new TreeSet<>() : p.fencedHosts(),
                p == null ? new TreeSet<>() : p.hostsInMaintenance(), p == null ? new TreeSet<>() : p.detachedHosts());
    }

    private static AppStatus app(PackageSpec.AppPolicy app, GuestPlacement p, Instant now) {
        int used = p == null ? 0 : p.failures().getOrDefault(app.name(), 0);
        GuestPlacement.AppFailures details = p == null ? GuestPlacement.AppFailures.NONE : p.app(app.name());
        // Failures age out of the window only when the next one is counted: until then the placement
        // still lists them, and what counts now is what is inside the window now.
        Integer inWindow = used > 0 && details.failureTimesMs().isEmpty() ? null
                : (int) details.failureTimesMs().stream()
                .filter(t -> app.failureWindowMs() == null || t >= now.toEpochMilli() - app.failureWindowMs()).count();
        boolean atLimit = app.restartLimit() != null && used >= app.restartLimit()
                && (inWindow == null || inWindow >= app.restartLimit());
        GuestPlacement.LastFailure last = details.lastFailure();
        Instant backoff = last == null || last.restartAtMs() == null || last.restartAtMs() <= now.toEpochMilli() ? null
                : Instant.ofEpochMilli(last.restartAtMs());
        return new AppStatus(app.name(), used, app.restartLimit(), atLimit, app.failureWindowMs(), inWindow,
                last == null ? null : LastFailure.of(last), backoff);
    }

    /** The previous release's only sign of an operator's halt: its last decision. */
    static boolean haltedByOperator(CloudEvent<Decision> last) {
        return last != null && last.data().reason().code().startsWith("OPERATOR_HALT");
    }
}
