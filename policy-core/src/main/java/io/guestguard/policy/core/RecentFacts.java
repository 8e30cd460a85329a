package io.guestguard.policy.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonValue;
import io.guestguard.protocol.CloudEvent;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The facts a guest's decider saw last, to drop a fact delivered twice: at most {@value #MAX_FACTS}
 * of them, none older than {@value #HORIZON_MS} ms of decision time. Each is kept as a 64-bit digest
 * of its id, type and own time (so an id that is long or chosen by an attacker costs no more than any
 * other, and a forged fact that takes the id of a fact yet to come does not make the real one look
 * like a resend), the decision time it was seen at (in seconds) and its {@code guestseq}, if any.
 * Oldest first.
 *
 * @param facts the remembered facts, oldest first
 */
public record RecentFacts(List<Seen> facts) {

    /** How many facts are remembered at most. */
    public static final int MAX_FACTS = 64;
    /** How long a fact is remembered at most, in decision time. */
    public static final long HORIZON_MS = 60 * 60 * 1000L;

    public static final RecentFacts NONE = new RecentFacts(List.of());

    public RecentFacts {
        facts = facts == null ? List.of() : List.copyOf(facts);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static RecentFacts of(List<Seen> facts) {
        return new RecentFacts(facts);
    }

    @JsonValue
    List<Seen> json() {
        return facts;
    }

    /** Whether {@code fact} (its id, type and own time) was seen among the remembered facts. */
    public boolean contains(CloudEvent<?> fact) {
        return containsKey(key(fact));
    }

    boolean containsKey(String key) {
        for (Seen f : facts) {
            if (f.key().equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a remembered fact carried sequence number {@code seq}. */
    boolean numbered(long seq) {
        return facts.stream().anyMatch(f -> f.seq() != null && f.seq() == seq);
    }

    /** With the fact of {@code key} and {@code seq}, seen at {@code clockMs}; those beyond the count or the horizon forgotten. */
    RecentFacts with(String key, Long seq, long clockMs) {
        long oldest = (clockMs - HORIZON_MS) / 1000;
        int within = 0;
        for (Seen f : facts) {
            if (f.atS() >= oldest) {
                within++;
            }
        }
        // Built in one array of the final size: this runs on every fact.
        int forgotten = Math.max(0, within + 1 - MAX_FACTS);
        Seen[] next = new Seen[within + 1 - forgotten];
        int i = 0;
        for (Seen f : facts) {
            if (f.atS() >= oldest && forgotten-- <= 0) {
                next[i++] = f;
            }
        }
        next[i] = new Seen(key, clockMs / 1000, seq);
        return new RecentFacts(List.of(next));
    }

    /** The first 16 hex digits of SHA-256 over the fact's id, type and own time (all ASCII by the wire rules). */
    static String key(CloudEvent<?> fact) {
        String identity = fact.id() + '\n' + fact.type() + '\n' + InstantText.of(fact.time());
        byte[] ascii = new byte[identity.length()];
        for (int i = 0; i < ascii.length; i++) {
            ascii[i] = (byte) identity.charAt(i);
        }
        return HexFormat.of().formatHex(SHA_256.get().digest(ascii), 0, 8);
    }

    /** One digest per thread: {@code MessageDigest.getInstance} per fact cost more than the digest itself. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    /**
     * One remembered fact, written as a JSON array ({@code ["9f86d081884c7d65", 1764158400, 57]}) to
     * keep a guest's state small.
     *
     * @param key the digest of the fact's id, type and own time
     * @param atS the decision time it was seen at, in epoch seconds
     * @param seq its {@code guestseq}, or {@code null}
     */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    public record Seen(String key, long atS, Long seq) {
    }
}
