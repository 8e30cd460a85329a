package io.guestguard.reporter.app;

import io.guestguard.protocol.CommandKind;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this reporter did with the commands addressed to its guest, for its metrics: how many of each
 * kind it applied and refused (dead-lettered: an application the guest does not have, or applying it
 * threw), and the restarts it applied per application. The applications are the guest file's, so the
 * set of them is as bounded as the file; every counter exists from the start, so a scrape shows zeros.
 */
public final class CommandCounts {

    /** The commands a reporter applies. */
    public static final List<CommandKind> KINDS = List.of(CommandKind.RESTART_APP, CommandKind.STOP_APP,
            CommandKind.START_APP, CommandKind.REBIND);

    /** The two ends of a command: carried out, or refused and dead-lettered. */
    public enum Outcome { APPLIED, REFUSED }

    private final Map<CommandKind, Map<Outcome, LongAdder>> counts = new EnumMap<>(CommandKind.class);
    private final Map<String, LongAdder> restarts = new TreeMap<>();

    /** @param apps the guest file's applications */
    CommandCounts(List<String> apps) {
        for (CommandKind kind : KINDS) {
            Map<Outcome, LongAdder> byOutcome = new EnumMap<>(Outcome.class);
            for (Outcome outcome : Outcome.values()) {
                byOutcome.put(outcome, new LongAdder());
            }
            counts.put(kind, byOutcome);
        }
        apps.forEach(app -> restarts.put(app, new LongAdder()));
    }

    void add(CommandKind kind, Outcome outcome) {
        Map<Outcome, LongAdder> byOutcome = counts.get(kind);
        if (byOutcome != null) { // a host's command decoded here is refused before it is applied
            byOutcome.get(outcome).increment();
        }
    }

    void restarted(String app) {
        LongAdder count = restarts.get(app);
        if (count != null) {
            count.increment();
        }
    }

    /** Commands of {@code kind} that ended as {@code outcome} so far. */
    public long count(CommandKind kind, Outcome outcome) {
        Map<Outcome, LongAdder> byOutcome = counts.get(kind);
        return byOutcome == null ? 0 : byOutcome.get(outcome).sum();
    }

    /** The guest file's applications, in name order. */
    public List<String> apps() {
        return List.copyOf(restarts.keySet());
    }

    /** Restart commands applied to {@code app} so far. */
    public long restarts(String app) {
        LongAdder count = restarts.get(app);
        return count == null ? 0 : count.sum();
    }
}
