package io.guestguard.cli;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The guests a host command concerns, from the engine's compacted topics as they are now: those placed
 * on the host ({@code placements.v1}) and those whose package lists it ({@code packages.v1}), the last
 * record of each guest counting. A record that does not decode is passed over: these two topics only
 * say whom to tell, and the decider checks every request against the guest's own state.
 *
 * @param placedThere the guests placed on the host (running, starting, halting or being fenced there)
 * @param listingIt the other guests whose package lists the host
 */
record GuestsOfHost(TreeSet<String> placedThere, TreeSet<String> listingIt) {

    static GuestsOfHost read(KafkaClientSettings kafka, Topics topics, Duration timeout, String host) {
        EventCodec codec = new EventCodec();
        Map<String, GuestPlacement> placements = new TreeMap<>();
        Map<String, PackageApplied> packages = new TreeMap<>();
        try (TopicScan scan = new TopicScan(kafka, timeout)) {
            scan.readAll(topics.placements(), latest(codec, GuestPlacement.class, placements::put, placements::remove));
            scan.readAll(topics.packages(), latest(codec, PackageApplied.class, packages::put, packages::remove));
        }
        TreeSet<String> placed = new TreeSet<>();
        placements.forEach((guest, p) -> {
            if (p.mayRunOn(host)) {
                placed.add(guest);
            }
        });
        TreeSet<String> listing = new TreeSet<>();
        packages.forEach((guest, applied) -> {
            if (!placed.contains(guest) && applied.spec().hosts().contains(host)) {
                listing.add(guest);
            }
        });
        return new GuestsOfHost(placed, listing);
    }

    boolean isEmpty() {
        return placedThere.isEmpty() && listingIt.isEmpty();
    }

    /** Keeps the last {@code type} value of each key; a tombstone forgets it. */
    private static <T> Consumer<ConsumerRecord<String, byte[]>> latest(EventCodec codec, Class<T> type,
            BiConsumer<String, T> put, Consumer<String> remove) {
        return record -> {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                remove.accept(record.key());
                return;
            }
            try {
                Object data = codec.decode(record.value()).data();
                if (type.isInstance(data)) {
                    put.accept(record.key(), type.cast(data));
                }
            } catch (RejectedRecordException e) {
                // not a record the engine wrote: it names no guest to tell
            }
        };
    }
}
