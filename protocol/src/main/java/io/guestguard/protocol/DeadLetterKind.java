package io.guestguard.protocol;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Why a record was dead-lettered, as a bounded vocabulary: the kind of its reason, for counting
 * ({@code guestguard_dead_letters_total{service,reason}}). The reason itself is free text for people
 * (it may quote what the record held); its kind is read from the words it starts with, which every
 * writer of a reason keeps stable ({@link RejectedRecordException}, the trust checks, the shells).
 * A reason no rule knows counts as {@link #OTHER}, so a new reason text never grows the label set.
 */
public enum DeadLetterKind {
    /** Not a record at all: no value, too large, not JSON. */
    UNREADABLE,
    /** JSON, but not a valid GuestGuard CloudEvent: a missing or malformed attribute, data against its schema. */
    INVALID,
    /** A type GuestGuard does not know. */
    UNKNOWN_TYPE,
    /** A valid event in the wrong place: the wrong topic, key or addressee. */
    MISPLACED,
    /** Trust: no signature. */
    UNSIGNED,
    /** Trust: a signature that does not verify. */
    BAD_SIGNATURE,
    /** Trust: signed by a key the ring does not hold. */
    UNKNOWN_KEY,
    /** Trust: signed by a revoked key. */
    REVOKED_KEY,
    /** Trust: its signer may not emit it. */
    NOT_AUTHORIZED,
    /** Trust: an event read before. */
    REPLAYED,
    /** A command its agent refuses: an application the guest does not have, an id the journal cannot hold. */
    REFUSED,
    /** A bound reached: a detector partition watching as many hosts as it keeps. */
    OVER_BOUND,
    /** Processing threw: a bug caught by the net, or a command whose application failed. */
    FAILED,
    /** A stored state that could not be read, put aside. */
    QUARANTINED,
    /** None of the above. */
    OTHER;

    /** Leading words of reasons and their kinds, the longer prefix before a shorter one it begins with. */
    private static final List<Map.Entry<String, DeadLetterKind>> PREFIXES = List.of(
            Map.entry("empty record", UNREADABLE), Map.entry("record of ", UNREADABLE),
            Map.entry("unreadable record", UNREADABLE), Map.entry("malformed json", UNREADABLE),
            Map.entry("not a guestguard cloudevent", INVALID), Map.entry("data ", INVALID), Map.entry("time ", INVALID),
            Map.entry("unknown type", UNKNOWN_TYPE),
            Map.entry("unsigned", UNSIGNED), Map.entry("bad signature", BAD_SIGNATURE), Map.entry("unknown key", UNKNOWN_KEY),
            Map.entry("revoked key", REVOKED_KEY), Map.entry("not authorized", NOT_AUTHORIZED), Map.entry("replayed", REPLAYED),
            Map.entry("type ", MISPLACED), Map.entry("record key ", MISPLACED), Map.entry("the event has no ", MISPLACED),
            Map.entry("the command is about ", MISPLACED), Map.entry("a host command must ", MISPLACED),
            Map.entry("a fence command must ", MISPLACED), Map.entry("a guest's beat ", MISPLACED),
            Map.entry("a tick for partition ", MISPLACED), Map.entry("addressed to ", MISPLACED), Map.entry("a tombstone", MISPLACED),
            Map.entry("host ", MISPLACED), Map.entry("a ", MISPLACED),
            Map.entry("guest ", REFUSED), Map.entry("the command journal refuses", REFUSED),
            Map.entry("partition ", OVER_BOUND),
            Map.entry("processing failed", FAILED), Map.entry("could not be applied", FAILED),
            Map.entry("the stored ", QUARANTINED));

    /** The kind of {@code reason}, {@link #OTHER} when no rule knows it (or it is null). */
    public static DeadLetterKind of(String reason) {
        if (reason == null) {
            return OTHER;
        }
        String text = reason.toLowerCase(Locale.ROOT);
        return PREFIXES.stream().filter(p -> text.startsWith(p.getKey())).map(Map.Entry::getValue).findFirst().orElse(OTHER);
    }

    /** The kind as a metric label: {@code bad-signature}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
