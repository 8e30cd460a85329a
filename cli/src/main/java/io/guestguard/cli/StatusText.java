package io.guestguard.cli;

import io.guestguard.protocol.fleet.FleetStatus;
import io.guestguard.protocol.fleet.FleetStatus.AppStatus;
import io.guestguard.protocol.fleet.FleetStatus.GuestStatus;
import io.guestguard.protocol.fleet.FleetStatus.HostStatus;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@link FleetStatus} as {@code guestguard status} prints it: the compact overview (the summary, a line
 * per host, a line per guest with its applications' budgets), as {@code cmviewcl}; and with
 * {@code verbose}, everything, as {@code cmviewcl -v}: each guest's package hosts and policies, the hosts
 * its state knows, each application's failures, last failure and backoff, its last decision and why.
 */
final class StatusText {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final PrintWriter out;
    private final boolean verbose;

    StatusText(PrintWriter out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    void print(FleetStatus status) {
        FleetStatus.Summary s = status.summary();
        out.printf("GuestGuard fleet at %s: %s%n", CLOCK.format(status.readAt()), status.verdict());
        out.printf("  hosts: %s%s   guests: %s%n", counts(s.hosts()),
                s.hostMarks().isEmpty() ? "" : " (" + counts(s.hostMarks()) + ")", counts(s.guestActivities()));
        out.printf("  newest host beat %s ago, newest decision %s ago, %s, %d dead letters in the last hour%n",
                FleetStatus.seconds(s.newestBeatAgeMs()), FleetStatus.seconds(s.newestDecisionAgeMs()), engine(s.engine()),
                s.deadLettersLastHour());
        status.problems().forEach(p -> out.println("  ! " + p));
        out.println();
        out.printf("%-16s %-10s %-9s %-22s %s%n", "HOST", "STATE", "BEAT AGE", "MARKS", "GUESTS");
        for (HostStatus h : status.hosts()) {
            out.printf("%-16s %-10s %-9s %-22s %s%n", h.host(), h.state(), FleetStatus.seconds(h.beatAgeMs()),
                    h.marks().isEmpty() ? "-" : words(h.marks()), h.guests().isEmpty() ? "-" : String.join(" ", h.guests()));
        }
        out.println();
        out.printf("%-16s %-14s %-16s %-6s %-10s %s%n", "GUEST", "ACTIVITY", "HOST", "EPOCH", "SWITCHING",
                "APPS (restarts used/limit, failures in window)");
        for (GuestStatus g : status.guests()) {
            out.printf("%-16s %-14s %-16s %-6s %-10s %s%n", g.guest(), g.activity(), g.host() == null ? "-" : g.host(),
                    g.epoch() == null ? "-" : g.epoch(), g.switchingEnabled() == null ? "-" : g.switchingEnabled() ? "enabled" : "disabled",
                    g.apps().isEmpty() ? "-" : g.apps().stream().map(StatusText::budget).collect(Collectors.joining("  ")));
            if (verbose) {
                details(g, status.readAt());
            }
        }
    }

    private void details(GuestStatus g, Instant now) {
        out.printf("  package: %s%n", g.hosts() == null ? "none applied" : g.hosts().stream().map(h -> h.equals(g.host()) ? "*" + h : h)
                .collect(Collectors.joining(" ")) + ", " + (Boolean.TRUE.equals(g.autoRun()) ? "auto_run" : "no auto_run") + ", "
                + g.failoverPolicy().toLowerCase(Locale.ROOT) + ", failback " + g.failbackPolicy().toLowerCase(Locale.ROOT)
                + (g.packageMaintenance() ? ", IN MAINTENANCE" : ""));
        out.printf("  phase %s%s%n", g.phase() == null ? "UNPLACED" : g.phase(), g.motive() == null ? ""
                : " (" + g.motive().toLowerCase(Locale.ROOT).replace('_', ' ') + ")");
        if (g.migration() != null) {
            out.printf("  migrating %s -> %s since %s (%s)%n", g.migration().from(), g.migration().to(), CLOCK.format(g.migration().since()),
                    FleetStatus.seconds(Duration.between(g.migration().since(), now).toMillis()));
        }
        List<String> known = new ArrayList<>();
        hosts(known, "lost", g.lostHosts().stream().filter(h -> !g.fencedHosts().contains(h)).toList());
        hosts(known, "fenced", g.fencedHosts());
        hosts(known, "in maintenance", g.hostsInMaintenance());
        hosts(known, "detached", g.detachedHosts());
        if (!known.isEmpty()) {
            out.printf("  its hosts: %s%n", String.join("; ", known));
        }
        for (AppStatus a : g.apps()) {
            out.printf("  %-14s %s%n", a.app(), app(a, now));
        }
        if (g.lastDecision() != null) {
            FleetStatus.LastDecision d = g.lastDecision();
            out.printf("  last decision %s %s%s: %s (cause %s)%n", CLOCK.format(d.time()), d.action(), d.app() == null ? "" : " " + d.app(),
                    d.reason(), String.join(", ", d.causeIds()));
        }
    }

    /** {@code app1 1/2 (1 in 10m)}: restarts used of the limit, and the failures still in the window. */
    private static String budget(AppStatus a) {
        String window = a.restarts() == 0 || a.failuresInWindow() == null || a.failureWindowMs() == null ? ""
                : " (" + a.failuresInWindow() + " in " + duration(a.failureWindowMs()) + ")";
        return a.app() + " " + a.restarts() + "/" + (a.limit() == null ? "unlimited" : a.limit()) + window
                + (a.atLimit() ? " AT LIMIT" : "") + (a.backoffUntil() != null ? " BACKOFF" : "");
    }

    private static String app(AppStatus a, Instant now) {
        StringBuilder line = new StringBuilder("restarts " + a.restarts() + " of " + (a.limit() == null ? "unlimited" : a.limit()));
        if (a.failuresInWindow() != null) {
            line.append(", ").append(a.failuresInWindow()).append(" failure(s) in its ")
                    .append(a.failureWindowMs() == null ? "window (never ages out)" : duration(a.failureWindowMs()) + " window");
        }
        if (a.atLimit()) {
            line.append(a.restarts() > a.limit() ? ", AT LIMIT: used up, the guest must fail over" : ", AT LIMIT: its next failure fails the guest over");
        }
        if (a.lastFailure() != null) {
            FleetStatus.LastFailure f = a.lastFailure();
            line.append("; last failure ").append(CLOCK.format(f.time())).append(' ').append(f.cause())
                    .append(f.pid() == null ? "" : " (pid " + f.pid() + ")").append(", noticed by ").append(f.noticedBy());
        }
        if (a.backoffUntil() != null) {
            line.append("; backoff until ").append(CLOCK.format(a.backoffUntil())).append(" (")
                    .append(FleetStatus.seconds(Duration.between(now, a.backoffUntil()).toMillis())).append(')');
        }
        return line.toString();
    }

    private static void hosts(List<String> known, String what, Collection<String> hosts) {
        if (!hosts.isEmpty()) {
            known.add(what + " " + String.join(" ", hosts));
        }
    }

    private static String engine(FleetStatus.Engine engine) {
        if (engine == null) {
            return "engine not asked";
        }
        if (engine.error() != null) {
            return "engine lag unknown (group " + engine.group() + ": " + engine.error() + ")";
        }
        return "engine lag " + engine.lag() + " (group " + engine.group() + ", " + engine.activeMembers() + " member"
                + (engine.activeMembers() == 1 ? "" : "s") + (engine.silent() ? ": SILENT" : "") + ")";
    }

    /** {@code 10m}, {@code 30s}, {@code 1500ms}: as package files write durations. */
    static String duration(long ms) {
        return ms % 3_600_000 == 0 ? ms / 3_600_000 + "h" : ms % 60_000 == 0 ? ms / 60_000 + "m"
                : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static String counts(Map<?, Integer> counts) {
        return counts.isEmpty() ? "none" : counts.entrySet().stream()
                .map(e -> e.getValue() + " " + word(e.getKey())).collect(Collectors.joining(", "));
    }

    private static String words(Collection<?> values) {
        return values.stream().map(StatusText::word).collect(Collectors.joining(","));
    }

    private static String word(Object value) {
        return value.toString().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
