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
 * @param detached since when and until when the host is away on purpose, if its supervisor said it leaves
 */
record HostWatch(long beatAt, long beatWatched, boolean lost, Set<String> told, Optional<Detached> detached) {

    /** {@code [beatAt 8][beatWatched 8][state 1]}: state 0 live, 1 lost, 2 detached. */
    private static final int FIXED = 17;
    private static final byte LIVE = 0;
    private static final byte LOST = 1;
    private static final byte DETACHED = 2;
    /** A detached host's {@code [leftAt 8][untilWatched 8]}, after the fixed part. */
    private static final int DETACH_BYTES = 16;

    /**
     * A host whose supervisor said it leaves.
     *
     * @param leftAt the append time of its leaving (broker clock, ms)
     * @param untilWatched where on the partition's {@link TickClock} its detach ends: silent then, it is lost
     */
    record Detached(long leftAt, long untilWatched) {
    }

    HostWatch {
        told = Set.copyOf(told);
    }

    /** A host that beat at {@code beatAt}, at {@code beatWatched} on the clock: live and attached. */
    HostWatch(long beatAt, long beatWatched) {
        this(beatAt, beatWatched, false, Set.of(), Optional.empty());
    }

    /** The same host, judged lost, its guests {@code told}. */
    HostWatch lostFor(Set<String> guests) {
        return new HostWatch(beatAt, beatWatched, true, guests, Optional.empty());
    }

    /** The same host, away on purpose from {@code leftAt} until {@code untilWatched} on the clock. */
    HostWatch detachedUntil(long leftAt, long untilWatched) {
        return new HostWatch(beatAt, beatWatched, false, Set.of(), Optional.of(new Detached(leftAt, untilWatched)));
    }

    /** Silence on the partition's clock at {@code clock}. */
    long silence(TickClock clock) {
        return clock.watched() - beatWatched;
    }

    /** Whether this host, not lost yet, is lost at {@code clock}: silent for {@code timeoutMs}, and past its detach if any. */
    boolean lostAt(TickClock clock, long timeoutMs) {
        return !lost && silence(clock) >= timeoutMs && detached.map(d -> clock.watched() >= d.untilWatched()).orElse(true);
    }

    /** The fixed part, then a detached host's times or a lost one's told guests (newline-separated UTF-8). */
    byte[] encode() {
        if (detached.isPresent()) {
            return ByteBuffer.allocate(FIXED + DETACH_BYTES).putLong(beatAt).putLong(beatWatched).put(DETACHED)
                    .putLong(detached.get().leftAt()).putLong(detached.get().untilWatched()).array();
        }
        byte[] guests = String.join("\n", new TreeSet<>(told)).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(FIXED + guests.length).putLong(beatAt).putLong(beatWatched)
                .put(lost ? LOST : LIVE).put(guests).array();
    }

    /**
     * The entry as {@link #encode()} wrote it (or as the detector before detaching did: states 0 and 1);
     * empty for a value of another shape (the store's changelog is a topic too), which the detector then
     * treats as a host it has not heard yet.
     */
    static Optional<HostWatch> decode(byte[] value) {
        if (value == null || value.length < FIXED || value[16] > DETACHED || value[16] < LIVE) {
            return Optional.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        long beatAt = buffer.getLong();
        long beatWatched = buffer.getLong();
        byte state = buffer.get();
        if (state == DETACHED) {
            return value.length != FIXED + DETACH_BYTES ? Optional.empty()
                    : Optional.of(new HostWatch(beatAt, beatWatched).detachedUntil(buffer.getLong(), buffer.getLong()));
        }
        Set<String> told = value.length == FIXED ? Set.of()
                : Set.copyOf(Arrays.asList(new String(value, FIXED, value.length - FIXED, StandardCharsets.UTF_8).split("\n")));
        if (!told.stream().allMatch(Names::valid)) {
            return Optional.empty();
        }
        return Optional.of(new HostWatch(beatAt, beatWatched, state == LOST, told, Optional.empty()));
    }
}
