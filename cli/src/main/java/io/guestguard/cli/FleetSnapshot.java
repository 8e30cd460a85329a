package io.guestguard.cli;

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
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the fleet's topics say now, read once from their beginnings: each guest's package
 * ({@code packages.v1}) and placement ({@code placements.v1}), the last decision about each guest
 * ({@code decisions.v1}), each host's last beat or leaving ({@code host-heartbeats.v1}, by its append
 * time), and the dead letters of the last hour. A record that does not decode is passed over, as the
 * services pass it over.
 *
 * @param packages each guest's package as last applied
 * @param placements each guest's placement as the engine last wrote it
 * @param decisions the last decision about each guest
 * @param hosts each host's last record on its beats' topic
 * @param deadLettersLastHour dead letters appended within the hour before {@code readAt}
 * @param readAt when the topics were read (this machine's clock)
 */
record FleetSnapshot(Map<String, PackageSpec> packages, Map<String, GuestPlacement> placements,
                     Map<String, CloudEvent<Decision>> decisions, Map<String, HostSeen> hosts, long deadLettersLastHour,
                     Instant readAt) {

    /**
     * A host's last record: a beat with its guests, or its leaving.
     *
     * @param at the broker's append time
     * @param guests the guests it said it runs (empty for a leaving)
     * @param left whether the record is its supervisor's leaving (a stop on purpose)
     */
    record HostSeen(Instant at, java.util.List<String> guests, boolean left) {
    }

    /** Everything above. */
    static FleetSnapshot read(KafkaClientSettings kafka, Topics topics, Duration timeout) {
        return read(kafka, topics, timeout, true);
    }

    /** The packages and placements only (the compacted topics): who runs where and may run where. */
    static FleetSnapshot placementsAndPackages(KafkaClientSettings kafka, Topics topics, Duration timeout) {
        return read(kafka, topics, timeout, false);
    }

    private static FleetSnapshot read(KafkaClientSettings kafka, Topics topics, Duration timeout, boolean history) {
        EventCodec codec = new EventCodec();
        Map<String, PackageSpec> packages = new TreeMap<>();
        Map<String, GuestPlacement> placements = new TreeMap<>();
        Map<String, CloudEvent<Decision>> decisions = new TreeMap<>();
        Map<String, HostSeen> hosts = new TreeMap<>();
        long[] deadLetters = {0};
        Instant now = Instant.now();
        try (TopicScan scan = new TopicScan(kafka, timeout)) {
            scan.readAll(topics.packages(), record -> decoded(codec, record).ifPresentOrElse(e -> {
                if (e.data() instanceof PackageApplied applied) {
                    packages.put(record.key(), applied.spec());
                }
            }, () -> forgetTombstone(record, packages)));
            scan.readAll(topics.placements(), record -> decoded(codec, record).ifPresentOrElse(e -> {
                if (e.data() instanceof GuestPlacement placement) {
                    placements.put(record.key(), placement);
                }
            }, () -> forgetTombstone(record, placements)));
            if (!history) {
                return new FleetSnapshot(packages, placements, decisions, hosts, 0, now);
            }
            scan.readAll(topics.decisions(), record -> decoded(codec, record).ifPresent(e -> {
                if (e.data() instanceof Decision && e.guestId() != null) {
                    @SuppressWarnings("unchecked")
                    CloudEvent<Decision> decision = (CloudEvent<Decision>) e;
                    decisions.merge(e.guestId(), decision, (a, b) -> b.time().isBefore(a.time()) ? a : b);
                }
            }));
            scan.readAll(topics.hostHeartbeats(), record -> decoded(codec, record).ifPresent(e -> {
                Instant at = Instant.ofEpochMilli(record.timestamp());
                if (e.data() instanceof Heartbeat beat && "host".equals(beat.role())) {
                    hosts.put(beat.id(), new HostSeen(at, beat.guests(), false));
                } else if (e.data() instanceof HostLeaving leaving) {
                    hosts.put(leaving.host(), new HostSeen(at, java.util.List.of(), true));
                }
            }));
            long hourAgo = now.minus(Duration.ofHours(1)).toEpochMilli();
            scan.readAll(topics.deadLetter(), record -> deadLetters[0] += record.timestamp() >= hourAgo ? 1 : 0);
        }
        return new FleetSnapshot(packages, placements, decisions, hosts, deadLetters[0], now);
    }

    private static java.util.Optional<CloudEvent<?>> decoded(EventCodec codec, ConsumerRecord<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(codec.decode(record.value()));
        } catch (RejectedRecordException e) {
            return java.util.Optional.empty();
        }
    }

    private static void forgetTombstone(ConsumerRecord<String, byte[]> record, Map<String, ?> latest) {
        if (record.key() != null && record.value() == null) {
            latest.remove(record.key());
        }
    }
}
