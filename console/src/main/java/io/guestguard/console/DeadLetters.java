package io.guestguard.console;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RejectedRecordException;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The newest dead letters, for the dead-letter page: {@link FleetFeed} hands over each record of
 * {@code dead-letter.v1}, and the newest {@link #KEPT} are kept (a storm of them costs no more
 * memory), by their time. Each letter's original record is decoded, if it can be, to show its type, id and guest;
 * a letter read again (the feed reads from the beginning after a broker outage) is kept once.
 * Listeners hear of each new letter.
 */
@ApplicationScoped
public class DeadLetters {

    /** How many of the newest dead letters are kept. */
    static final int KEPT = 500;

    private final EventCodec codec = new EventCodec();
    /** By time, then place: partitions are read side by side, so letters do not arrive in time order. */
    private final TreeSet<DeadLetterEntry> newest = new TreeSet<>(
            Comparator.comparing(DeadLetterEntry::time).thenComparing(DeadLetterEntry::id));
    private final List<Consumer<DeadLetterEntry>> listeners = new CopyOnWriteArrayList<>();

    /** Takes one record of {@code dead-letter.v1}; tells the listeners if it is new. */
    public void accept(ConsumerRecord<String, byte[]> record) {
        String id = record.topic() + "-" + record.partition() + "@" + record.offset();
        DeadLetterEntry entry = DeadLetterEntry.of(id, Instant.ofEpochMilli(record.timestamp()), DeadLetter.read(record.headers()),
                record.key(), decoded(record));
        synchronized (this) {
            if (!newest.add(entry)) {
                return; // read again
            }
            if (newest.size() > KEPT && newest.pollFirst() == entry) {
                return; // older than every letter kept
            }
        }
        listeners.forEach(listener -> listener.accept(entry));
    }

    /** The letters kept whose reason contains {@code reason} and whose service is {@code service} (either may be empty), newest first. */
    public synchronized List<DeadLetterEntry> newestFirst(String reason, String service) {
        List<DeadLetterEntry> found = new ArrayList<>();
        newest.descendingIterator().forEachRemaining(e -> {
            if (e.matches(reason, service)) {
                found.add(e);
            }
        });
        return found;
    }

    /** The services that wrote the letters kept, sorted, for the page's filter. */
    public synchronized List<String> services() {
        TreeSet<String> services = new TreeSet<>();
        newest.forEach(e -> {
            if (e.service() != null) {
                services.add(e.service());
            }
        });
        return List.copyOf(services);
    }

    void onLetter(Consumer<DeadLetterEntry> listener) {
        listeners.add(listener);
    }

    private CloudEvent<?> decoded(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return codec.decode(record.value(), record.headers()); // a dead letter keeps the original's CloudEvents headers
        } catch (RejectedRecordException e) {
            return null; // often why it is a dead letter: the page says it does not decode
        }
    }
}
