package io.guestguard.protocol.fleet;

import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.fleet.FleetStatus.GuestStatus;
import io.guestguard.protocol.fleet.FleetStatus.HostMark;
import io.guestguard.protocol.fleet.FleetStatus.HostState;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What makes the fleet less than well, one sentence each, and the verdict they add up to: FAILED when
 * a guest with {@code auto_run} runs nowhere (not an operator's halt) or the engine is silent (facts wait
 * and no instance is in its group); DEGRADED for anything else said here.
 */
final class Problems {

    private final List<String> sentences = new ArrayList<>();
    private boolean failed;

    void host(String host, HostState state, Long age, List<String> placed, Set<HostMark> marks) {
        if (state == HostState.SILENT && !placed.isEmpty()) {
            sentences.add("host " + host + " is silent (last beat " + FleetStatus.seconds(age) + " ago) with " + String.join(", ", placed) + " on it");
        } else if (state == HostState.LEFT) {
            sentences.add("host " + host + "'s supervisor stopped (it left " + FleetStatus.seconds(age) + " ago): detached, not watched");
        }
        if (marks.contains(HostMark.LOST)) {
            sentences.add("host " + host + " is lost and not fenced yet");
        } else if (marks.contains(HostMark.FENCED)) {
            sentences.add("host " + host + " was fenced: it takes no guest until it beats again");
        }
        if (marks.contains(HostMark.DETACHED)) {
            sentences.add("host " + host + " is detached by an operator: nothing moves its guests off it or fences it (guestguard host run " + host + ")");
        }
    }

    void guest(GuestStatus g, PackageSpec spec) {
        String guest = g.guest();
        g.apps().stream().filter(FleetStatus.AppStatus::atLimit).forEach(a ->
                sentences.add(guest + "/" + a.app() + " used " + a.restarts() + " of its " + a.limit() + " restarts"));
        GuestActivity activity = g.activity();
        boolean runsNowhere = activity == GuestActivity.UNPLACED || activity == GuestActivity.WAITING || activity == GuestActivity.DOWN;
        if (spec != null && spec.autoRun() && runsNowhere) {
            failed = true;
            sentences.add(guest + " runs nowhere (" + (g.phase() == null ? "not placed" : g.phase()) + ")");
        } else if (activity == GuestActivity.FAILOVER_HELD) {
            sentences.add(guest + " must fail over but is held on " + g.host() + " (guestguard why " + guest + ")");
        } else if (activity == GuestActivity.MIGRATING) {
            sentences.add(guest + " is migrating from " + g.migration().from() + " to " + g.migration().to());
        } else if (activity == GuestActivity.RUNNING && spec != null && !spec.hosts().isEmpty() && !spec.hosts().get(0).equals(g.host())) {
            sentences.add(guest + " runs on " + g.host() + ", not on its package's first host " + spec.hosts().get(0));
        } else if (g.phase() != null && activity != GuestActivity.RUNNING && activity != GuestActivity.HALTED
                && activity != GuestActivity.DOWN) {
            sentences.add(guest + " is " + g.phase() + (g.host() == null ? "" : " on " + g.host()));
        }
        if (g.phase() != null && Boolean.FALSE.equals(g.switchingEnabled()) && activity != GuestActivity.HALTED
                && activity != GuestActivity.HALTING) {
            sentences.add(guest + ": switching is disabled: it will not fail over (guestguard guest enable-switching --guest " + guest + ")");
        }
        if (g.packageMaintenance()) {
            sentences.add(guest + "'s package is in maintenance: nothing is restarted or moved");
        }
    }

    void engine(FleetStatus.Engine engine) {
        if (engine.silent()) {
            failed = true;
            sentences.add("the engine is silent: " + engine.lag() + " fact(s) wait on the guest log and its group "
                    + engine.group() + " has no member");
        } else if (engine.absent()) {
            sentences.add("no engine runs: its group " + engine.group() + " has no member (a fact would wait)");
        }
    }

    FleetStatus.Verdict verdict() {
        return failed ? FleetStatus.Verdict.FAILED : sentences.isEmpty() ? FleetStatus.Verdict.OK : FleetStatus.Verdict.DEGRADED;
    }

    List<String> list() {
        return List.copyOf(sentences);
    }
}
