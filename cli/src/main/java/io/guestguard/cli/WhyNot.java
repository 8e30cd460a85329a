package io.guestguard.cli;

import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Placement;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What stands between a guest and a failover now, from its state as the decider rebuilt it ({@code why}'s
 * last part), one line each: each application's failures still in its window of its restart limit (and
 * when the oldest ages out), a failover owed and what holds it (switching disabled, the package in
 * maintenance, its host detached, no eligible host), a fence pending, a migration under way, and each other
 * host of its package with why it is or is not eligible.
 */
final class WhyNot {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private WhyNot() {
    }

    /**
     * @param guest the guest, for the commands the lines name
     * @param app only this application's budget ({@code null}: every one)
     * @param now the reader's time, against which failures age out of their window
     */
    static List<String> lines(String guest, GuestState state, String app, Instant now) {
        List<String> lines = new ArrayList<>();
        Placement p = state.placement();
        PackageSpec spec = state.spec();
        lines.add("now: " + (p.host() == null ? "placed nowhere (" + p.phase() + ")"
                : p.phase() + " on " + p.host() + " as epoch " + p.epoch() + (p.nextHost() == null ? "" : ", going to " + p.nextHost())
                + (p.motive() == Placement.Motive.NONE ? "" : " (" + p.motive().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")")));
        if (spec == null) {
            lines.add("    no package is applied: it cannot fail over (guestguard apply)");
        } else {
            spec.applications().stream().filter(a -> app == null || app.equals(a.name())).forEach(a -> lines.add(budget(state, a, now)));
        }
        boolean owed = p.phase() == PlacementPhase.RUNNING && p.motive() == Placement.Motive.APP_FAILOVER;
        if (owed) {
            lines.add("    a failover is owed (an application used up its restarts) and held: it happens once what holds it ends");
        }
        if (!state.switchingEnabled()) {
            lines.add("    switching is disabled: a failover is held until it is enabled again (guestguard guest enable-switching --guest " + guest + ")");
        }
        if (state.maintenance()) {
            lines.add("    the package is in maintenance: nothing is restarted or moved");
        }
        if (p.host() != null && state.hosts().isDetached(p.host())) {
            lines.add("    its host " + p.host() + " is detached: nothing moves it off or fences it (guestguard host run " + p.host() + ")");
        }
        if (p.phase() == PlacementPhase.FENCING && state.fence() != null) {
            lines.add("    a fence is pending: it waits for " + p.host() + " to be fenced before it starts elsewhere (asked "
                    + state.fence().attempts() + " time(s)" + (state.fence().dueMs() == null ? ""
                    : ", asked again or given up at " + CLOCK.format(Instant.ofEpochMilli(state.fence().dueMs()))) + ")");
        }
        if (state.migration() != null) {
            lines.add("    a live migration from " + state.migration().from() + " to " + state.migration().to() + " is under way (asked at "
                    + CLOCK.format(Instant.ofEpochMilli(state.migration().sinceMs())) + ")");
        }
        if (spec != null) {
            boolean anyEligible = false;
            for (String host : spec.hosts()) {
                if (!host.equals(p.host())) {
                    String why = state.hosts().whyNot(host, Set.of());
                    anyEligible |= why.equals("is eligible");
                    lines.add(String.format("    host %-10s %s", host, why));
                }
            }
            if (!anyEligible && spec.hosts().stream().anyMatch(h -> !h.equals(p.host()))) {
                lines.add("    no other host of its package is eligible: a failover would be held until one is");
            } else if (spec.hosts().stream().allMatch(h -> h.equals(p.host()))) {
                lines.add("    its package lists no other host: it cannot fail over");
            }
        }
        return lines;
    }

    /** One application's budget: failures still in its window of its limit, and what its next failure does. */
    private static String budget(GuestState state, PackageSpec.AppPolicy policy, Instant now) {
        List<Long> counted = state.app(policy.name()).failureTimesMs();
        Long window = policy.failureWindowMs();
        List<Long> inWindow = counted.stream().filter(t -> window == null || t >= now.toEpochMilli() - window).toList();
        Integer limit = policy.restartLimit();
        StringBuilder line = new StringBuilder(String.format("    %-12s %d failure(s) counted, %d within its %s of a limit of %s: ",
                policy.name(), counted.size(), inWindow.size(), window == null ? "window (never ages out)" : StatusText.duration(window) + " window",
                limit == null ? "unlimited" : limit));
        if (limit == null) {
            line.append("it is always restarted, never failed over");
        } else if (inWindow.size() > limit) {
            line.append("used up: the guest must fail over");
        } else if (inWindow.size() == limit) {
            line.append("its next failure fails the guest over");
        } else {
            line.append("the limit is not reached: ").append(limit - inWindow.size()).append(" restart(s) left before a failover");
        }
        if (window != null && !inWindow.isEmpty()) {
            line.append(" (the oldest ages out at ").append(CLOCK.format(Instant.ofEpochMilli(inWindow.get(0) + window))).append(')');
        }
        if (counted.size() > inWindow.size()) {
            line.append("; ").append(counted.size() - inWindow.size()).append(" aged out of the window since");
        }
        return line.toString();
    }
}
