package io.guestguard.migration.streams;

import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * When each guest's reporter was last heard beating, for at most {@code capacity} guests: heartbeats
 * are keyed by whatever a record says, so a flood of forged keys must not grow this without end. At
 * the bound the guest used least recently is forgotten, counted, and logged at the 1st, 2nd, 4th,
 * 8th... time. Forgetting a beat is safe: the watcher then counts the guest as heard when its last
 * fact was read, so it checks the guest sooner (one rebind), never later.
 */
final class RecentBeats {

    /** Per stream task (one partition of the guest log); well above the guests one partition serves. */
    static final int CAPACITY = 50_000;
    private static final Logger LOG = Logger.getLogger(RecentBeats.class);

    private final int capacity;
    private final Runnable onForget;
    private final Map<String, Long> beats;
    private long forgotten;

    RecentBeats(int capacity, Runnable onForget) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.onForget = onForget;
        this.beats = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                if (size() <= RecentBeats.this.capacity) {
                    return false;
                }
                forgot(eldest.getKey());
                return true;
            }
        };
    }

    void heard(String guest, long atMs) {
        beats.put(guest, atMs);
    }

    OptionalLong lastHeard(String guest) {
        Long at = beats.get(guest);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
    }

    int size() {
        return beats.size();
    }

    long forgotten() {
        return forgotten;
    }

    private void forgot(String guest) {
        forgotten++;
        onForget.run();
        if (Long.bitCount(forgotten) == 1) {
            LOG.warnf("heartbeats of more than %d guests in one task: forgot %s's last beat (%d forgotten so far); "
                    + "a flood of forged guest ids, or a partition serving more guests than expected", capacity, guest,
                    forgotten);
        }
    }
}
