package io.guestguard.policy.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.ArrayList;
import java.util.List;

/**
 * The reporter sequence numbers ({@code guestseq}) a guest's decider has decided on, as sorted,
 * disjoint ranges: a reporter numbers its facts 1, 2, 3, … so they are one range, plus one for
 * each gap its outbox left (facts it dropped while full). At most {@value #MAX_RANGES} ranges; past
 * that the lowest (the oldest numbers) is forgotten, so a resend from that far back would be decided
 * again rather than anything new dropped. A number is a resend only if it is in a range: a fact
 * numbered below the highest number seen is still new if nobody used its number, so a wrong number
 * far ahead cannot make the reporter's real facts look like resends.
 *
 * @param ranges the numbers seen, lowest first
 */
public record GuestSeqs(List<Range> ranges) {

    /** Ranges kept at most. */
    public static final int MAX_RANGES = 16;

    public static final GuestSeqs NONE = new GuestSeqs(List.of());

    public GuestSeqs {
        ranges = ranges == null ? List.of() : List.copyOf(ranges);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static GuestSeqs of(List<Range> ranges) {
        return new GuestSeqs(ranges);
    }

    @JsonValue
    List<Range> json() {
        return ranges;
    }

    boolean contains(long seq) {
        return ranges.stream().anyMatch(r -> r.from() <= seq && seq <= r.to());
    }

    /** The highest number seen, or empty before any. */
    java.util.OptionalLong highest() {
        return ranges.isEmpty() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(ranges.get(ranges.size() - 1).to());
    }

    /** With {@code seq} added, touching ranges merged, the lowest forgotten past {@value #MAX_RANGES}. */
    GuestSeqs with(long seq) {
        List<Range> next = new ArrayList<>(ranges.size() + 1);
        Range adding = new Range(seq, seq);
        for (Range r : ranges) {
            if (r.to() + 1 < adding.from() || adding.to() + 1 < r.from()) {
                next.add(r);
            } else {
                adding = new Range(Math.min(r.from(), adding.from()), Math.max(r.to(), adding.to()));
            }
        }
        next.add(adding);
        next.sort(java.util.Comparator.comparingLong(Range::from));
        return new GuestSeqs(next.subList(Math.max(0, next.size() - MAX_RANGES), next.size()));
    }

    /**
     * A new reporter run that numbers from {@code seq} on: numbers from {@code seq} up are forgotten,
     * since the new run will use them again, and {@code seq} is added.
     */
    GuestSeqs restartedAt(long seq) {
        List<Range> below = new ArrayList<>();
        for (Range r : ranges) {
            if (r.from() < seq) {
                below.add(new Range(r.from(), Math.min(r.to(), seq - 1)));
            }
        }
        return new GuestSeqs(below).with(seq);
    }

    /**
     * Numbers {@code from} to {@code to}, both included, written as a JSON array ({@code [1, 57]}).
     */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    public record Range(long from, long to) {
    }
}
