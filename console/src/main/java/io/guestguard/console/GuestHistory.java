package io.guestguard.console;

import io.guestguard.protocol.Topics;
import io.guestguard.protocol.history.GuestRecords;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Reads a guest's history on demand ({@link GuestRecords}: its key's partitions only, the newest
 * records of each), at most {@link #READS} at a time, so that a burst of page loads cannot open a
 * consumer each and crowd the broker or the console.
 */
@ApplicationScoped
public class GuestHistory {

    /** Histories read at once; a page asked for beyond them is answered "busy". */
    static final int READS = 2;

    /** Thrown when {@link #READS} histories are being read already. */
    static final class Busy extends RuntimeException {
        Busy() {
            super("the console is reading " + READS + " histories already; try again in a moment");
        }
    }

    private final GuestRecords records;
    private final Semaphore reads = new Semaphore(READS);

    public GuestHistory(KafkaClientSettings kafka, @ConfigProperty(name = "guestguard.topic-prefix") String prefix,
                        @ConfigProperty(name = "guestguard.console.history-scanned", defaultValue = "5000") int scanned,
                        @ConfigProperty(name = "guestguard.console.history-kept", defaultValue = "200") int kept,
                        @ConfigProperty(name = "guestguard.console.history-timeout", defaultValue = "10s") Duration timeout) {
        this.records = new GuestRecords(kafka, new Topics(prefix), new GuestRecords.Bounds(scanned, kept), timeout);
    }

    /** The guest's history, or empty if what was read has no fact and no decision of it. */
    public Optional<HistoryView> of(String guest) {
        if (!reads.tryAcquire()) {
            throw new Busy();
        }
        try {
            GuestRecords.Read read = records.read(guest);
            if (read.chain().steps().isEmpty() && read.chain().uncaused().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(HistoryView.of(guest, read));
        } finally {
            reads.release();
        }
    }
}
