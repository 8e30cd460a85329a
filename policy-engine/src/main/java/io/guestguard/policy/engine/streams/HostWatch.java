package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.Names;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the host-loss detector knows of one host, as its store keeps it.
 *
 * @param beatAt the append time of the host's last beat read (broker clock, ms)
 * @param beatWatched where that beat falls on its partition's {@link TickClock}
 * @param lost whether the host was judged lost (and has not beaten since)
 * @param told the guests told of its loss, which hear of its return wherever they run by then
 */
record HostWatch(long beatAt, long beatWatched, boolean lost, Set<String> told) {

    private static final int FIXED = 17;

    HostWatch {
        told = Set.copyOf(told);
    }

    /** The same host, judged lost, its guests {@code told}. */
    HostWatch lostFor(Set<String> guests) {
        return new HostWatch(beatAt, beatWatched, true, guests);
    }

    /** Silence on the partition's clock at {@code clock}. */
    long silence(TickClock clock) {
        return clock.watched() - beatWatched;
    }

    /** {@code [beatAt 8][beatWatched 8][lost 1]} then the told guests, newline-separated UTF-8. */
    byte[] encode() {
        byte[] guests = String.join("\n", new TreeSet<>(told)).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(FIXED + guests.length).putLong(beatAt).putLong(beatWatched)
                .put((byte) (lost ? 1 : 0)).put(guests).array();
    }

    /**
     * The entry as {@link #encode()} wrote it; empty for a value of another shape (the store's
     * changelog is a topic too), which the detector then treats as a host it has not heard yet.
     */
    static Optional<HostWatch> decode(byte[] value) {
        if (value == null || value.length < FIXED || value[16] > 1 || value[16] < 0) {
            return Optional.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        long beatAt = buffer.getLong();
        long beatWatched = buffer.getLong();
        boolean lost = buffer.get() == 1;
        Set<String> told = value.length == FIXED ? Set.of()
                : Set.copyOf(Arrays.asList(new String(value, FIXED, value.length - FIXED, StandardCharsets.UTF_8).split("\n")));
        if (!told.stream().allMatch(Names::valid)) {
            return Optional.empty();
        }
        return Optional.of(new HostWatch(beatAt, beatWatched, lost, told));
    }
}
