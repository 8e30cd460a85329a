package io.guestguard.deploy.sim;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * A simulation's figures: the steady state's failures and latencies and what each service cost per
 * 1,000 guests, the storm's, the host loss's, and what went wrong (missed failures, budget resets).
 *
 * @param placeSeconds from the first package applied to every guest running with its applications up
 * @param usage        per service (and the simulator with its in-process broker), CPU % of one core and RSS, over the steady state
 * @param maxLag       per consumer group, the largest lag sampled in the steady state
 * @param stormAllAppliedMs from the storm's first failure to the last restart applied
 * @param stormEngine  the engines' own histogram of a fact's append to its decision, over every decision of the storm
 *                     (before its commit: the rest of the simulator's fact -> decision is the commit and the read)
 * @param stormCost    what the machine and each service spent from the storm's first failure to its last restart applied
 * @param hostLossMs   from the lost hosts' last beat to the last of their guests started elsewhere (-1: none lost, or not all)
 * @param wave         the rolling wave of live migrations ({@link Wave#NONE} without one)
 */
record SimResult(int guests, int hosts, int apps, double placeSeconds, int steadySeconds,
                 Percentiles steadyDecision, Percentiles steadyApplied, Map<String, Usage> usage, Map<String, Long> maxLag,
                 int stormFailures, Percentiles stormDecision, Percentiles stormApplied, long stormAllAppliedMs,
                 PrometheusHistogram stormEngine, StormCost stormCost,
                 int lostGuests, long hostLossMs, int missedFailures, int unanswered, long budgetResets,
                 long refusedCommands, long unreadable, long failedSends, Map<String, Long> decisions, Wave wave) {

    /**
     * The rolling wave of live migrations, each asked by a signed {@code operator.request}, at most
     * {@code inFlight} requested and not yet running on the new host at once, while the steady
     * failures go on.
     *
     * @param seconds            from the first request to the last contact check answered and every failure of the wave applied
     * @param requestToStarted   the request's append time to the source's {@code migration.started} (the engine decided, the supervisor began)
     * @param requestToRunning   the request's append time to the source's {@code migration.completed} (the guest runs on the new host)
     * @param contactVerified    {@code migration.completed} to the reporter's {@code rebound} answering the watcher's rebind for
     *                           the new placement (append times)
     * @param running            migrations that completed
     * @param verified           migrations whose rebind was answered, with no {@code contact-lost} for the new placement
     * @param watcherVerified    the watcher's own count of contact verified after a completed migration (its metric), -1 if unreadable
     * @param watcherMeanMs      the watcher's own mean of that latency (from a migration's end to the answer read)
     * @param watcherP99BoundMs  the upper bound of the watcher's histogram bucket that holds its p99, -1 if unreadable
     * @param rebindsResent      migrations whose rebind the watcher sent more than once (the first answer not taken in time)
     * @param failures           application failures injected during the wave: the steady ones and those below
     * @param failedWhileMigrating failures of a migrating guest's application (between {@code migration.started} and completed)
     * @param failedJustMigrated failures of a just-migrated guest's application (right after {@code migration.completed})
     * @param missed             the wave's failures with no restart decision
     * @param unanswered         the wave's failures whose restart was not applied
     * @param budgetResets       budget resets read during the wave
     * @param contactLost        {@code contact-lost} facts appended during the wave, read from the guest log
     * @param watcherEscalations the watcher's own count of {@code contact-lost} facts written during the wave (its metric), -1 if unreadable
     * @param decisions          decisions read during the wave, by action
     * @param stoppedBy          why the wave stopped before its end, or null
     */
    record Wave(int requested, int inFlight, double seconds, Percentiles requestToStarted, Percentiles requestToRunning,
                Percentiles contactVerified,
                int running, int verified, long watcherVerified, long watcherMeanMs, long watcherP99BoundMs, int rebindsResent,
                int failures, int failedWhileMigrating, int failedJustMigrated, int missed, int unanswered, long budgetResets,
                int contactLost, long watcherEscalations, Map<String, Long> decisions, String stoppedBy) {

        static final Wave NONE = new Wave(0, 0, 0, Percentiles.of(java.util.List.of()), Percentiles.of(java.util.List.of()),
                Percentiles.of(java.util.List.of()), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), null);

        long decisions(String action) {
            return decisions.getOrDefault(action, 0L);
        }

        /** Every migration ran on its new host with contact re-verified (seen on the wire and by the watcher), nothing missed or reset, nobody lost. */
        boolean healthy() {
            return requested == 0 || (stoppedBy == null && running == requested && verified == requested
                    && watcherVerified == requested && missed == 0 && unanswered == 0 && budgetResets == 0 && contactLost == 0
                    && watcherEscalations == 0 && decisions("FAILOVER") == 0);
        }

        void print(PrintStream out) {
            out.printf(Locale.ROOT, "migration wave: %d live migrations requested, at most %d in flight, done in %.1f s%s%n", requested,
                    inFlight, seconds, stoppedBy == null ? "" : "; STOPPED: " + stoppedBy);
            out.printf(Locale.ROOT, "  request -> migration.started %s%n", requestToStarted);
            out.printf(Locale.ROOT, "  request -> running on the new host (migration.completed) %s; running %d of %d%n", requestToRunning,
                    running, requested);
            out.printf(Locale.ROOT, "  migration.completed -> contact re-verified (rebound appended) %s; verified %d of %d, "
                    + "%d with a rebind sent again%n", contactVerified, verified, requested, rebindsResent);
            out.printf(Locale.ROOT, "  the watcher's own count: %s verified after a completed migration, mean %d ms, p99 <= %s%n",
                    watcherVerified < 0 ? "unreadable," : Long.toString(watcherVerified), watcherMeanMs,
                    watcherP99BoundMs < 0 ? "unknown" : watcherP99BoundMs + " ms");
            out.printf(Locale.ROOT, "  failures during the wave %d (%d while migrating, %d just migrated): missed %d, unanswered %d, "
                    + "budget resets %d; contact-lost %d (the watcher's count: %s)%n", failures, failedWhileMigrating, failedJustMigrated,
                    missed, unanswered, budgetResets, contactLost, watcherEscalations < 0 ? "unreadable" : Long.toString(watcherEscalations));
            out.println("  decisions during the wave: " + decisions);
        }
    }

    /**
     * The storm's CPU: the machine's cores, which every service here shares, and each service's.
     *
     * @param ms                  from the storm's first failure to its last restart applied (or the wait's end)
     * @param machineBusyPercent  the share of all cores' time that was busy, -1 if unknown
     * @param usage               per service, CPU % of one core (and RSS at the end)
     */
    record StormCost(long ms, double machineBusyPercent, Map<String, Usage> usage) {

        void print(PrintStream out) {
            out.printf(Locale.ROOT, "  CPU over the storm's %d ms: the machine's %d cores %s busy;", ms,
                    Runtime.getRuntime().availableProcessors(),
                    machineBusyPercent < 0 ? "(unknown)" : String.format(Locale.ROOT, "%.0f%%", machineBusyPercent));
            usage.forEach((service, u) -> out.printf(Locale.ROOT, " %s %.0f%% of a core;", service, u.cpuPercent()));
            out.println();
        }
    }

    /** A service's cost: CPU % of one core and resident memory. */
    record Usage(double cpuPercent, long rssMib) {
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "fleet: %d guests x %d applications on %d hosts; placed in %.1f s%n", guests, apps, hosts, placeSeconds);
        out.printf(Locale.ROOT, "steady state (%d s): fact -> decision %s; fact -> applied %s%n", steadySeconds, steadyDecision, steadyApplied);
        double thousands = guests / 1000.0;
        usage.forEach((service, u) -> out.printf(Locale.ROOT, "  %-22s CPU %5.1f%% of a core (%5.1f%% per 1,000 guests), RSS %d MiB (%.0f MiB per 1,000 guests)%n",
                service, u.cpuPercent(), u.cpuPercent() / thousands, u.rssMib(), u.rssMib() / thousands));
        out.println("  consumer lag, largest sampled: " + maxLag);
        if (wave.requested() > 0) {
            wave.print(out);
        }
        if (stormFailures > 0) {
            out.printf(Locale.ROOT, "storm: %d failures within 1 s: every restart decided and applied %d ms after the first failure; "
                    + "fact -> decision %s; fact -> applied %s%n", stormFailures, stormAllAppliedMs, stormDecision, stormApplied);
            out.printf(Locale.ROOT, "  the engine's own fact -> decided (its histogram, every decision of the storm, before the commit): %s%n",
                    stormEngine);
            stormCost.print(out);
        }
        if (lostGuests > 0) {
            out.printf(Locale.ROOT, "host loss: %d guests; last beat -> last guest started elsewhere %s%n", lostGuests,
                    hostLossMs < 0 ? "NOT REACHED" : hostLossMs + " ms");
        }
        out.printf(Locale.ROOT, "missed failures %d, restarts unanswered %d, budget resets %d, commands refused %d, "
                + "unreadable records %d, failed sends %d%n", missedFailures, unanswered, budgetResets, refusedCommands, unreadable, failedSends);
        out.println("decisions: " + decisions);
    }
}
