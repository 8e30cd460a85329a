package io.guestguard.protocol.trust;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.RejectedRecordException;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refuses a genuine record written again: a signature proves who wrote an event, not that it is new.
 * Two rules, per consumer:
 * <ul>
 *   <li><b>fresh</b>: an event of a host, a service or an operator must have been signed at most the
 *       window before Kafka stamped its record (on the guest log and the beat topics the broker's
 *       append time, which no writer sets). Guests are exempt: their clocks are the tenants' and may
 *       be hours off, and their facts wait in the outbox while Kafka is away; their facts carry the
 *       reporter's sequence number instead, which the decider never decides twice;</li>
 *   <li><b>once</b>: an event id of one signer read at one place (topic, partition, offset) and then
 *       at another is a copy. The same place read again is the consumer re-reading after a restart
 *       or an aborted transaction, not a replay. Ids are remembered for the window, at most
 *       {@code capacity} of them, the oldest forgotten first; by then the first rule refuses a copy.</li>
 * </ul>
 * A copy refused by the second rule may be a reporter's resend of a fact already delivered; the
 * first delivery was read, so nothing is lost. Thread-safe.
 */
public final class ReplayGuard {

    /** Where a record was read: what tells a copy from the same record read again. */
    public record Origin(String topic, int partition, long offset, Instant timestamp) {
        @Override
        public String toString() {
            return topic + "-" + partition + "@" + offset;
        }
    }

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    public static final int DEFAULT_CAPACITY = 200_000;

    private final Duration window;
    private final int capacity;
    /** Signer and event id to where it was first read, oldest first. */
    private final LinkedHashMap<String, Origin> seen = new LinkedHashMap<>();

    public ReplayGuard(Duration window, int capacity) {
        this.window = window;
        this.capacity = capacity;
    }

    /**
     * @throws RejectedRecordException {@code replayed: ...} when {@code event}, signed by {@code signer},
     *                                 is a copy of one read before or too old for its record
     */
    public synchronized void check(Principal signer, CloudEvent<?> event, Origin origin) {
        if (signer.role() != Role.GUEST && event.time().isBefore(origin.timestamp().minus(window))) {
            throw new RejectedRecordException("replayed: " + signer + " signed event " + event.id() + " at " + event.time()
                    + ", more than " + window.toMinutes() + " min before Kafka stamped its record (" + origin.timestamp() + ")");
        }
        String id = signer + "/" + event.id();
        Origin first = seen.get(id);
        if (first != null && !samePlace(first, origin)) {
            throw new RejectedRecordException("replayed: event " + event.id() + " of " + signer + " was read before at "
                    + first + " (a copy, or a resend of a record already delivered)");
        }
        if (first == null) {
            seen.put(id, origin);
            forgetOld(origin.timestamp());
        }
    }

    private static boolean samePlace(Origin a, Origin b) {
        return a.topic().equals(b.topic()) && a.partition() == b.partition() && a.offset() == b.offset();
    }

    private void forgetOld(Instant now) {
        Instant horizon = now.minus(window);
        for (Iterator<Map.Entry<String, Origin>> oldest = seen.entrySet().iterator(); oldest.hasNext(); ) {
            Origin origin = oldest.next().getValue();
            if (seen.size() <= capacity && !origin.timestamp().isBefore(horizon)) {
                break;
            }
            oldest.remove();
        }
    }
}
