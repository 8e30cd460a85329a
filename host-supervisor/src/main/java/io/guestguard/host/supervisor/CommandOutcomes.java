package io.guestguard.host.supervisor;

import io.guestguard.protocol.CommandKind;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this host's supervisor did with the commands addressed to it, for its metrics: how many of each
 * kind it applied and refused, and how long the fence hook took, confirmed or not. Every counter exists
 * from the start, so a scrape shows zeros rather than nothing.
 */
public final class CommandOutcomes {

    /** The two ends of a command: carried out, or answered with {@code host.command-refused}. */
    public enum Outcome { APPLIED, REFUSED }

    private final Map<CommandKind, Map<Outcome, LongAdder>> counts = new EnumMap<>(CommandKind.class);
    private final LongAdder fences = new LongAdder();
    private final LongAdder fenceNanos = new LongAdder();

    public CommandOutcomes() {
        for (CommandKind kind : CommandKind.values()) {
            Map<Outcome, LongAdder> byOutcome = new EnumMap<>(Outcome.class);
            for (Outcome outcome : Outcome.values()) {
                byOutcome.put(outcome, new LongAdder());
            }
            counts.put(kind, byOutcome);
        }
    }

    void add(CommandKind kind, Outcome outcome) {
        counts.get(kind).get(outcome).increment();
    }

    void fenceTook(long nanos) {
        fences.increment();
        fenceNanos.add(nanos);
    }

    /** Commands of {@code kind} that ended as {@code outcome} so far. */
    public long count(CommandKind kind, Outcome outcome) {
        return counts.get(kind).get(outcome).sum();
    }

    /** Fence hook runs so far. */
    public long fences() {
        return fences.sum();
    }

    /** Their total time, in seconds. */
    public double fenceSeconds() {
        return fenceNanos.sum() / 1e9;
    }
}
