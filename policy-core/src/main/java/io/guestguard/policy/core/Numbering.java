package io.guestguard.policy.core;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.ReporterStarted;

import java.util.OptionalLong;

/**
 * Where a fact's reporter sequence number ({@code guestseq}) stands against the numbers a guest's
 * decider has seen, and so whether the fact is a resend. The rule (docs/architecture.md, "Sequence
 * numbers"): a number is a resend only if it was decided on before; a number nobody used is new,
 * wherever it lies; a number far ahead of the highest seen is decided on its content but not
 * remembered, with an alert; a number used by another fact still in the recent window is decided too,
 * with an alert; a {@code reporter.started} opens a new run of numbers whatever its own (with an
 * alert when that is far ahead). So the worst
 * a wrong number does is one alert: it never makes a real fact look like a resend, and the fact it
 * comes with decides only what its content would without any number.
 */
enum Numbering {
    /** No {@code guestseq}: not a reporter's fact. */
    NONE,
    /** A number not used yet, within {@link #MAX_STEP} of the highest seen: remembered. */
    NEW,
    /** A {@code reporter.started}: a new run of numbers from its own on. */
    NEW_RUN,
    /** A number decided on before, by a fact no longer in the recent window: the reporter resent it. */
    RESENT,
    /** A number more than {@link #MAX_STEP} past the highest seen: decided, not remembered, alerted. */
    JUMP,
    /** A number a different fact of the recent window carried: decided, alerted. */
    REUSED;

    /**
     * How far a reporter's numbers may skip: its outbox numbers every fact, and skips only facts it
     * dropped while full (a guest whose failures go unanswered during an outage writes few). About a
     * million is far past any such gap and far below what a wrong number looks like.
     */
    static final long MAX_STEP = 1L << 20;

    static Numbering of(GuestState state, CloudEvent<?> fact) {
        Long seq = fact.guestSeq();
        if (seq == null) {
            return NONE;
        }
        if (fact.data() instanceof ReporterStarted) {
            return NEW_RUN;
        }
        GuestSeqs seen = state.guestSeqs();
        if (seen.contains(seq)) {
            return state.recentFacts().numbered(seq) ? REUSED : RESENT;
        }
        return farAhead(seen, seq) ? JUMP : NEW;
    }

    /** Whether {@code seq} lies more than {@link #MAX_STEP} past the highest number in {@code seen}. */
    static boolean farAhead(GuestSeqs seen, long seq) {
        OptionalLong highest = seen.highest();
        return highest.isPresent() && seq - highest.getAsLong() > MAX_STEP;
    }

    /** The numbers decided on, {@code seen}, with the fact's number remembered as this rule says. */
    GuestSeqs record(GuestSeqs seen, long seq) {
        return switch (this) {
            case NEW -> seen.with(seq);
            case NEW_RUN -> seen.restartedAt(seq);
            default -> seen;
        };
    }
}
