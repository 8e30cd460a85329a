package io.guestguard.protocol;

import java.util.List;

/**
 * GuestGuard's topic names under one configurable prefix (default {@code guestguard.}). See the wire
 * contract in {@code docs/architecture.md} for who writes what.
 *
 * @param prefix prepended to every topic name
 */
public record Topics(String prefix) {

    public static final String DEFAULT_PREFIX = "guestguard.";
    public static final Topics DEFAULT = new Topics(DEFAULT_PREFIX);

    /** Every fact the decider reads, one order per guest. */
    public String guestLog() {
        return prefix + "guest-log.v1";
    }

    /** Guest reporters' liveness beats, keyed by guest: the migration watcher's. */
    public String heartbeats() {
        return prefix + "heartbeats.v1";
    }

    /**
     * Host supervisors' liveness beats, keyed by host, and the host-loss detector's ticks: apart from
     * the guests' beats, so that no amount of guest traffic delays a host's beat on its way to the
     * detector. Its records carry the broker's append time ({@code LogAppendTime}).
     */
    public String hostHeartbeats() {
        return prefix + "host-heartbeats.v1";
    }

    public String guestCommands() {
        return prefix + "guest-commands.v1";
    }

    public String hostCommands() {
        return prefix + "host-commands.v1";
    }

    /** The audit log of decisions. */
    public String decisions() {
        return prefix + "decisions.v1";
    }

    /** Compacted: each package as last applied. */
    public String packages() {
        return prefix + "packages.v1";
    }

    /** Compacted: each guest's current placement. */
    public String placements() {
        return prefix + "placements.v1";
    }

    /** Compacted, keyed by key id: the principals' public keys and revocations, signed by the operator root. */
    public String keys() {
        return prefix + "keys.v1";
    }

    public String deadLetter() {
        return prefix + "dead-letter.v1";
    }

    /** Every topic, for creating them before any service starts. */
    public List<String> all() {
        return List.of(guestLog(), heartbeats(), hostHeartbeats(), guestCommands(), hostCommands(), decisions(), packages(),
                placements(), keys(), deadLetter());
    }

    /** The topics whose records are keyed state that only the latest value per key matters for. */
    public List<String> compacted() {
        return List.of(packages(), placements(), keys());
    }
}
