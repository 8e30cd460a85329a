package io.guestguard.policy.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonValue;
import io.guestguard.protocol.CloudEvent;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The facts a guest's decider saw last, to drop a fact delivered twice: at most {@value #MAX_FACTS}
 * of them, none older than {@value #HORIZON_MS} ms of decision time. Each is kept as a 64-bit digest
 * of its id, type and own time (so an id that is long or chosen by an attacker costs no more than any
 * other, and a forged fact that takes the id of a fact yet to come does not make the real one look
 * like a resend), the decision time it was seen at (in seconds) and its {@code guestseq}, if any.
 * Oldest first.
 *
 * <p>Immutable. Besides the list (its JSON form) it keeps, in the same order, each fact's time seen
 * and its key's {@code hashCode} in two arrays of numbers: the duplicate check and {@link #with} run
 * on every fact, and reading 64 numbers in a row costs far less than following a pointer to each
 * remembered fact and to its key (a fifth of the decider's time went there, mostly waiting on memory).
 */
public final class RecentFacts {

    /** How many facts are remembered at most. */
    public static final int MAX_FACTS = 64;
    /** How long a fact is remembered at most, in decision time. */
    public static final long HORIZON_MS = 60 * 60 * 1000L;

    public static final RecentFacts NONE = new RecentFacts(List.of());

    private final Seen[] seen;
    private final List<Seen> facts;
    /** {@code seen[i].atS()} at {@code i}. */
    private final long[] atS;
    /** The {@code hashCode} of {@code seen[i].key()} at {@code i}. */
    private final int[] keyHashes;
    /** Whether {@link #atS} never decreases, as in every value {@link #with} built: a guest's clock never goes back. */
    private final boolean inOrder;

    /** @param facts the remembered facts, oldest first */
    public RecentFacts(List<Seen> facts) {
        this(facts == null ? new Seen[0] : facts.toArray(new Seen[0]), null, null, null);
    }

    /**
     * Takes the arrays, which no one else holds, as they are ({@link #with} builds them; copying them
     * again on every fact cost as much as building them); {@code null} ones are worked out from {@code seen}.
     */
    private RecentFacts(Seen[] seen, long[] atS, int[] keyHashes, Boolean inOrder) {
        this.seen = seen;
        this.facts = Collections.unmodifiableList(Arrays.asList(seen));
        if (atS == null) {
            atS = new long[seen.length];
            keyHashes = new int[seen.length];
            for (int i = 0; i < seen.length; i++) {
                atS[i] = seen[i].atS();
                keyHashes[i] = Objects.hashCode(seen[i].key());
            }
        }
        this.atS = atS;
        this.keyHashes = keyHashes;
        boolean ordered = true;
        for (int i = 1; inOrder == null && i < atS.length && ordered; i++) {
            ordered = atS[i - 1] <= atS[i];
        }
        this.inOrder = inOrder != null ? inOrder : ordered;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static RecentFacts of(List<Seen> facts) {
        return new RecentFacts(facts);
    }

    /** The remembered facts, oldest first. */
    public List<Seen> facts() {
        return facts;
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
        int hash = key.hashCode();
        for (int i = 0; i < keyHashes.length; i++) {
            if (keyHashes[i] == hash && key.equals(seen[i].key())) {
                return true;
            }
        }
        return false;
    }

    /** Whether a remembered fact carried sequence number {@code seq}. */
    boolean numbered(long seq) {
        for (Seen f : facts) {
            if (f.seq() != null && f.seq() == seq) {
                return true;
            }
        }
        return false;
    }

    /** With the fact of {@code key} and {@code seq}, seen at {@code clockMs}; those beyond the count or the horizon forgotten. */
    RecentFacts with(String key, Long seq, long clockMs) {
        long oldest = (clockMs - HORIZON_MS) / 1000;
        int size = atS.length;
        if (inOrder) {
            // Those within the horizon are the newest, one run at the end: keep its last MAX_FACTS - 1,
            // copied in one piece with room for the new fact (this runs on every fact).
            int first = 0;
            while (first < size && atS[first] < oldest) {
                first++;
            }
            first = Math.max(first, size + 1 - MAX_FACTS);
            int last = size - first;
            Seen[] next = Arrays.copyOfRange(seen, first, size + 1);
            long[] nextAtS = Arrays.copyOfRange(atS, first, size + 1);
            int[] nextHashes = Arrays.copyOfRange(keyHashes, first, size + 1);
            next[last] = new Seen(key, clockMs / 1000, seq);
            nextAtS[last] = next[last].atS();
            nextHashes[last] = key.hashCode();
            return new RecentFacts(next, nextAtS, nextHashes, last == 0 || nextAtS[last - 1] <= nextAtS[last]);
        }
        // Out of order (a state written by other means): each fact is kept or forgotten by its own time.
        int within = 0;
        for (long t : atS) {
            if (t >= oldest) {
                within++;
            }
        }
        int forgotten = Math.max(0, within + 1 - MAX_FACTS);
        List<Seen> next = new ArrayList<>(within + 1 - forgotten);
        for (int f = 0; f < size; f++) {
            if (atS[f] >= oldest && forgotten-- <= 0) {
                next.add(seen[f]);
            }
        }
        next.add(new Seen(key, clockMs / 1000, seq));
        return new RecentFacts(next);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecentFacts other && facts.equals(other.facts);
    }

    @Override
    public int hashCode() {
        return facts.hashCode();
    }

    @Override
    public String toString() {
        return "RecentFacts[facts=" + facts + "]";
    }

    /** The first 16 hex digits of SHA-256 over the fact's id, type and own time (all ASCII by the wire rules). */
    static String key(CloudEvent<?> fact) {
        StringBuilder identity = InstantText.appendTo(new StringBuilder(96).append(fact.id()).append('\n')
                .append(fact.type()).append('\n'), fact.time());
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
