package io.guestguard.migration.messaging;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.RejectedRecordException;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows {@code guest-log.v1} and remembers when each guest was last heard from, the basis of
 * contact verification after a migration. A record it cannot read is rejected by throwing, which
 * SmallRye's dead-letter strategy turns into a record on {@code dead-letter.v1} whose
 * {@code dead-letter-reason} header is the reason; consumption goes on.
 */
@ApplicationScoped
public class GuestLogWatcher {

    private final EventCodec codec = new EventCodec();
    private final Map<String, Instant> lastContact = new ConcurrentHashMap<>();

    @Incoming("guest-log")
    public void onRecord(ConsumerRecord<String, byte[]> record) {
        CloudEvent<?> event = codec.decode(record.value());
        if (!(event.data() instanceof Fact)) {
            throw new RejectedRecordException("type " + event.type() + " is not a fact; guest-log carries facts only");
        }
        lastContact.merge(event.guestId(), event.time(), (a, b) -> a.isAfter(b) ? a : b);
    }

    /** When {@code guestId} last reported a fact, by its own clock. */
    public Optional<Instant> lastContact(String guestId) {
        return Optional.ofNullable(lastContact.get(guestId));
    }
}
