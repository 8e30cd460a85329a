package io.guestguard.protocol.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Folds the records of the fleet's topics, in each partition's order, into a {@link FleetSnapshot}:
 * the latest package and placement per guest (a tombstone forgets it), the latest decision per guest
 * (by its time), each host's last beat or leaving (by the broker's append time), the dead letters'
 * append times. Shared by {@code guestguard status} (which reads the topics once) and the console
 * (which keeps reading them). Every record is decoded by {@link EventCodec}; one that does not decode,
 * or has no key, is passed over and counted, as the services pass it over. Not thread-safe.
 */
public final class FleetFold {

    /** Dead-letter times kept for the last hour's count; a storm of them saturates the count here. */
    static final int DEAD_LETTERS_KEPT = 10_000;

    private final Topics topics;
    private final EventCodec codec = new EventCodec();
    private final Map<String, PackageSpec> packages = new TreeMap<>();
    private final Map<String, GuestPlacement> placements = new TreeMap<>();
    private final Map<String, CloudEvent<Decision>> decisions = new TreeMap<>();
    private final Map<String, FleetSnapshot.HostSeen> hosts = new TreeMap<>();
    private final ArrayDeque<Long> deadLetterTimes = new ArrayDeque<>();
    private long passedOver;

    public FleetFold(Topics topics) {
        this.topics = topics;
    }

    /**
     * Takes one record of {@code packages.v1}, {@code placements.v1}, {@code decisions.v1},
     * {@code host-heartbeats.v1} or {@code dead-letter.v1} (any other topic's is ignored).
     *
     * @return the decision the record carries, if it is a readable one about a guest
     */
    public Optional<CloudEvent<Decision>> accept(ConsumerRecord<String, byte[]> record) {
        String topic = record.topic();
        if (topic.equals(topics.packages())) {
            latest(record, packages, e -> e.data() instanceof PackageApplied applied ? applied.spec() : null);
        } else if (topic.equals(topics.placements())) {
            latest(record, placements, e -> e.data() instanceof GuestPlacement placement ? placement : null);
        } else if (topic.equals(topics.decisions())) {
            return decoded(record).filter(e -> e.data() instanceof Decision && e.guestId() != null).map(e -> {
                @SuppressWarnings("unchecked")
                CloudEvent<Decision> decision = (CloudEvent<Decision>) e;
                decisions.merge(e.guestId(), decision, (a, b) -> b.time().isBefore(a.time()) ? a : b);
                return decision;
            });
        } else if (topic.equals(topics.hostHeartbeats())) {
            decoded(record).ifPresent(e -> {
                Instant at = Instant.ofEpochMilli(record.timestamp());
                if (e.data() instanceof Heartbeat beat && "host".equals(beat.role())) {
                    hosts.put(beat.id(), new FleetSnapshot.HostSeen(at, beat.guests(), false));
                } else if (e.data() instanceof HostLeaving leaving) {
                    hosts.put(leaving.host(), new FleetSnapshot.HostSeen(at, List.of(), true));
                }
            });
        } else if (topic.equals(topics.deadLetter())) {
            deadLetterTimes.addLast(record.timestamp());
            if (deadLetterTimes.size() > DEAD_LETTERS_KEPT) {
                deadLetterTimes.removeFirst();
            }
        }
        return Optional.empty();
    }

    /** The fleet as folded so far, read at {@code now}: copies, unaffected by later records. */
    public FleetSnapshot snapshot(Instant now) {
        long hourAgo = now.minus(Duration.ofHours(1)).toEpochMilli();
        long deadLetters = deadLetterTimes.stream().filter(t -> t >= hourAgo).count();
        return new FleetSnapshot(new TreeMap<>(packages), new TreeMap<>(placements), new TreeMap<>(decisions),
                new TreeMap<>(hosts), deadLetters, now);
    }

    /** Records passed over because they had no key or did not decode. */
    public long passedOver() {
        return passedOver;
    }

    private <T> void latest(ConsumerRecord<String, byte[]> record, Map<String, T> latest,
                            java.util.function.Function<CloudEvent<?>, T> value) {
        if (record.key() != null && record.value() == null) {
            latest.remove(record.key()); // a tombstone
            return;
        }
        decoded(record).map(value).ifPresent(v -> latest.put(record.key(), v));
    }

    private Optional<CloudEvent<?>> decoded(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            passedOver++;
            return Optional.empty();
        }
        try {
            return Optional.of(codec.decode(record.value(), record.headers()));
        } catch (RejectedRecordException e) {
            passedOver++;
            return Optional.empty();
        }
    }
}
