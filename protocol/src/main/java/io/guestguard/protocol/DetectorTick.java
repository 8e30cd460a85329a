package io.guestguard.protocol;

/**
 * A time mark the policy engine's host-loss detector writes into its own partition of
 * {@code host-heartbeats.v1} every check interval. The broker stamps it on append
 * ({@code LogAppendTime}), like every host beat on that topic; when the detector reads its tick
 * back, it has read every beat appended before it, so the time between a host's last beat and
 * the ticks after it is that host's silence on the broker's clock, whatever the detector's own
 * backlog or clock. Every other reader of the topic skips ticks.
 *
 * @param partition the partition of {@code host-heartbeats.v1} the tick was written to (and keyed
 *                  for, see {@link #key(int)}): a tick read elsewhere was misrouted
 */
public record DetectorTick(int partition) implements Payload {

    private static final String KEY_PREFIX = "tick-";

    public DetectorTick {
        if (partition < 0) {
            throw new IllegalArgumentException("partition " + partition + " is negative");
        }
    }

    /** The record key of a tick for {@code partition}: {@code tick-<partition>}. */
    public static String key(int partition) {
        return KEY_PREFIX + partition;
    }

    /** This tick's record key. */
    public String key() {
        return key(partition);
    }

    /**
     * The partition a tick's record {@code key} is for.
     *
     * @throws IllegalArgumentException when {@code key} is not a tick's key
     */
    public static int partitionOf(String key) {
        if (key == null || !key.startsWith(KEY_PREFIX)) {
            throw new IllegalArgumentException("key " + FreeText.quote(key) + " is not a tick's key (" + KEY_PREFIX + "N)");
        }
        try {
            return new DetectorTick(Integer.parseInt(key.substring(KEY_PREFIX.length()))).partition();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("key " + FreeText.quote(key) + " is not a tick's key (" + KEY_PREFIX + "N)", e);
        }
    }
}
