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
 * @param hostLossMs   from the lost hosts' last beat to the last of their guests started elsewhere (-1: none lost, or not all)
 */
record SimResult(int guests, int hosts, int apps, double placeSeconds, int steadySeconds,
                 Percentiles steadyDecision, Percentiles steadyApplied, Map<String, Usage> usage, Map<String, Long> maxLag,
                 int stormFailures, Percentiles stormDecision, Percentiles stormApplied, long stormAllAppliedMs,
                 int lostGuests, long hostLossMs, int missedFailures, int unanswered, long budgetResets,
                 long refusedCommands, long unreadable, long failedSends, Map<String, Long> decisions) {

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
        if (stormFailures > 0) {
            out.printf(Locale.ROOT, "storm: %d failures within 1 s: every restart decided and applied %d ms after the first failure; "
                    + "fact -> decision %s; fact -> applied %s%n", stormFailures, stormAllAppliedMs, stormDecision, stormApplied);
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
