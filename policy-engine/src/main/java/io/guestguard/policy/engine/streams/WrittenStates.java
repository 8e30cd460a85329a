package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.GuestState;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The states a processor wrote last, as the objects it wrote them from: a guest's next fact finds
 * its state decoded already, if the store still holds exactly those bytes. Anything else in the
 * store (restored from the changelog, written by another version, forged) does not match and is
 * read and checked as usual. Bounded, least recently used first out: a cache, never the truth.
 */
final class WrittenStates {

    /** Per task: about the guests of a busy partition, a few MB of decoded states. */
    static final int DEFAULT_CAPACITY = 2048;

    private record Written(byte[] bytes, GuestState state) {
    }

    private final Map<String, Written> written;

    WrittenStates(int capacity) {
        this.written = new LinkedHashMap<>(capacity, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
                return size() > capacity;
            }
        };
    }

    /** {@code state} was stored for {@code guest} as {@code bytes}. */
    void wrote(String guest, byte[] bytes, GuestState state) {
        written.put(guest, new Written(bytes, state));
    }

    /** The state this processor wrote as {@code stored}, or {@code null} if it did not write these bytes. */
    GuestState find(String guest, byte[] stored) {
        Written w = written.get(guest);
        if (w == null) {
            return null;
        }
        if (w.bytes() == stored || Arrays.equals(w.bytes(), stored)) {
            return w.state();
        }
        written.remove(guest);
        return null;
    }
}
