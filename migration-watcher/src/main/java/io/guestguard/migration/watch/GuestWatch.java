package io.guestguard.migration.watch;

import java.util.List;

/**
 * What the watcher knows of one guest. Times are the watcher's wall clock in epoch milliseconds.
 *
 * @param host the host the guest runs on, as the log says (started there, or migrated there)
 * @param epoch that placement's epoch
 * @param running whether the guest runs (started or migrated, not halted since)
 * @param migration the live migration in progress, or {@code null}
 * @param blackoutUntilMs until when silence is the migration's and not a failure
 * @param lastHeardMs when a heartbeat or a fact from the guest's reporter was last read
 * @param contiguousSeq the highest sequence number up to which every fact of the reporter was read
 *                      (0 before the first)
 * @param aheadSeqs sequence numbers read above a gap, ascending
 * @param check the contact check in progress, or {@code null}
 * @param escalatedEpoch the last placement epoch contact was declared lost for (-1 for none): one
 *                       escalation per placement, since the engine moves the guest on it
 */
public record GuestWatch(String host, long epoch, boolean running, Migration migration, long blackoutUntilMs,
                         long lastHeardMs, long contiguousSeq, List<Long> aheadSeqs, Check check, long escalatedEpoch) {

    /**
     * The format of this record as the watcher stores it ({@code "format"} in the stored JSON): raised
     * when a field is added that a watcher of the previous format must not ignore, or a field's meaning
     * changes; such a watcher then quarantines the watch instead of misreading it. Format 0, a watch
     * stored before formats, is the same shape as format 1.
     */
    public static final int FORMAT = 1;

    /** The most sequence numbers remembered above a gap; beyond that the gap cannot heal by resending. */
    static final int MAX_AHEAD = 1_000;

    public static final GuestWatch UNKNOWN = new GuestWatch(null, 0, false, null, 0, 0, 0, List.of(), null, -1);

    public GuestWatch {
        aheadSeqs = List.copyOf(aheadSeqs);
    }

    /** A live migration: its hosts and when the watcher read that it started. */
    public record Migration(String from, String to, long startedAtMs) {
    }

    /**
     * A contact check: rebinds sent to the reporter until it answers for this placement and every fact
     * up to its next sequence number has been read.
     *
     * @param trigger what started it (the {@code trigger} of a {@code ContactLost} it may end in)
     * @param sinceMs the time contact is measured from: when the migration completed, or the check began
     * @param startedAtMs when the first rebind was sent
     * @param rebindsSent rebinds sent so far
     * @param deadlineMs when the next rebind is due, or contact is lost
     * @param causeId the fact that started it, which the rebind ids derive from
     * @param answered whether {@code rebound} came for this placement (then only a gap is open)
     * @param expectSeq after the answer, the last sequence number the reporter had assigned
     */
    public record Check(String trigger, String host, long epoch, long sinceMs, long startedAtMs, int rebindsSent,
                        long deadlineMs, String causeId, boolean answered, long expectSeq) {
    }

    GuestWatch withCheck(Check newCheck) {
        return new GuestWatch(host, epoch, running, migration, blackoutUntilMs, lastHeardMs, contiguousSeq, aheadSeqs,
                newCheck, escalatedEpoch);
    }

    GuestWatch withMigration(Migration newMigration, long newBlackoutUntilMs) {
        return new GuestWatch(host, epoch, running, newMigration, newBlackoutUntilMs, lastHeardMs, contiguousSeq,
                aheadSeqs, check, escalatedEpoch);
    }

    GuestWatch placedOn(String newHost, long newEpoch, boolean isRunning) {
        return new GuestWatch(newHost, newEpoch, isRunning, migration, blackoutUntilMs, lastHeardMs, contiguousSeq,
                aheadSeqs, check, escalatedEpoch);
    }

    /** The same, heard from at {@code nowMs} (if later than before). */
    public GuestWatch heardAt(long nowMs) {
        return new GuestWatch(host, epoch, running, migration, blackoutUntilMs, Math.max(lastHeardMs, nowMs),
                contiguousSeq, aheadSeqs, check, escalatedEpoch);
    }

    GuestWatch withSeqs(long newContiguous, List<Long> newAhead) {
        return new GuestWatch(host, epoch, running, migration, blackoutUntilMs, lastHeardMs, newContiguous, newAhead,
                check, escalatedEpoch);
    }

    GuestWatch escalated(long forEpoch) {
        return new GuestWatch(host, epoch, running, migration, blackoutUntilMs, lastHeardMs, contiguousSeq, aheadSeqs,
                null, forEpoch);
    }
}
