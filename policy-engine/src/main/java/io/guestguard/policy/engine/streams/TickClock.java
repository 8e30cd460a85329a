package io.guestguard.policy.engine.streams;

import java.nio.ByteBuffer;

/**
 * The watching clock of one partition of {@code host-heartbeats.v1}: the time the host-loss
 * detector counts as silence, advanced only by the detector's ticks as it reads them back, on the
 * broker's append times. Pure; kept in the detector's store, so a standby or a restarted detector
 * goes on from exactly where the last one committed.
 *
 * <ol>
 *   <li>Each tick moves the clock by the broker time since the previous tick, but by two check
 *       intervals ({@code capMs}) at most: a longer gap means the ticks could not be written or
 *       appended (the engine stalled, or the broker paused), and that is not the hosts' silence.</li>
 *   <li>A beat appended between two ticks sits on the clock where its append time falls after the
 *       previous tick, by the same rule.</li>
 *   <li>A hold ({@link #held}) stops the clock for that much of the ticks' time, after a pause in
 *       which nothing at all could be appended: the hosts get that long to beat again.</li>
 * </ol>
 *
 * @param tickAt the append time of the last tick read (broker clock, ms), or -1 before the first
 * @param watched the clock at that tick (ms of counted time since the first tick)
 * @param holdMs tick time still to pass before the clock moves again
 */
record TickClock(long tickAt, long watched, long holdMs) {

    static final TickClock NONE = new TickClock(-1, 0, 0);
    private static final int BYTES = 24;

    /** Where a record appended at {@code appendedAt} (not before the last tick) falls on the clock. */
    long at(long appendedAt, long capMs) {
        if (tickAt < 0) {
            return watched;
        }
        return watched + Math.max(0, since(appendedAt, capMs) - holdMs);
    }

    /** The clock after reading the tick appended at {@code appendedAt}. */
    TickClock tick(long appendedAt, long capMs) {
        if (tickAt < 0) {
            return new TickClock(appendedAt, watched, holdMs);
        }
        long moved = since(appendedAt, capMs);
        long absorbed = Math.min(moved, holdMs);
        return new TickClock(appendedAt, watched + moved - absorbed, holdMs - absorbed);
    }

    /** The clock with at least {@code ms} of tick time to pass before it moves again. */
    TickClock held(long ms) {
        return new TickClock(tickAt, watched, Math.max(holdMs, ms));
    }

    /** Broker time since the last tick, at most {@code capMs}; 0 if the broker's clock went back. */
    private long since(long appendedAt, long capMs) {
        return Math.min(Math.max(0, appendedAt - tickAt), capMs);
    }

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).putLong(tickAt).putLong(watched).putLong(holdMs).array();
    }

    /** The clock stored as {@link #encode()} wrote it, or {@link #NONE} for none (or a value of another shape). */
    static TickClock decode(byte[] value) {
        if (value == null || value.length != BYTES) {
            return NONE;
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        return new TickClock(buffer.getLong(), buffer.getLong(), buffer.getLong());
    }
}
