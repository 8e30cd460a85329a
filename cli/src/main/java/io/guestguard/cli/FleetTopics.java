package io.guestguard.cli;

import io.guestguard.protocol.Topics;
import io.guestguard.protocol.fleet.FleetFold;
import io.guestguard.protocol.fleet.FleetSnapshot;
import io.guestguard.protocol.kafka.KafkaClientSettings;

import java.time.Duration;
import java.time.Instant;

/**
 * Reads what the fleet's topics say now, once from their beginnings, into a {@link FleetSnapshot}
 * ({@link FleetFold} folds the records: the same fold the console keeps current).
 */
final class FleetTopics {

    private FleetTopics() {
    }

    /** Packages, placements, decisions, host beats and dead letters. */
    static FleetSnapshot read(KafkaClientSettings kafka, Topics topics, Duration timeout) {
        return read(kafka, topics, timeout, true);
    }

    /** The packages and placements only (the compacted topics): who runs where and may run where. */
    static FleetSnapshot placementsAndPackages(KafkaClientSettings kafka, Topics topics, Duration timeout) {
        return read(kafka, topics, timeout, false);
    }

    private static FleetSnapshot read(KafkaClientSettings kafka, Topics topics, Duration timeout, boolean history) {
        FleetFold fold = new FleetFold(topics);
        Instant now = Instant.now();
        try (TopicScan scan = new TopicScan(kafka, timeout)) {
            scan.readAll(topics.packages(), fold::accept);
            scan.readAll(topics.placements(), fold::accept);
            if (history) {
                scan.readAll(topics.decisions(), fold::accept);
                scan.readAll(topics.hostHeartbeats(), fold::accept);
                scan.readAll(topics.deadLetter(), fold::accept);
            }
        }
        return fold.snapshot(now);
    }
}
