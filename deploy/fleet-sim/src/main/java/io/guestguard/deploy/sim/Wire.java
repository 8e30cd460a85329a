package io.guestguard.deploy.sim;

import io.guestguard.deploy.fleet.FleetKeys;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Signer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * What the simulated fleet writes, as the real reporter and supervisor write it: the same envelope,
 * sources and keys, each record signed by its writer's registered key (a guest's by the guest, a host's by the host).
 * One batching producer for the whole fleet; each send reports the broker's append time of its
 * record (the guest log and the beat topics are {@code LogAppendTime}) to whoever asked.
 */
final class Wire implements AutoCloseable {

    private final Topics topics;
    private final FleetKeys keys;
    private final KafkaProducer<String, byte[]> producer;
    private final AtomicLong failedSends = new AtomicLong();
    /** Each writer signs as itself, with the key the fleet registered for it. */
    private final Map<Principal, Signer> signers = new ConcurrentHashMap<>();

    Wire(String bootstrapServers, Topics topics, FleetKeys keys) {
        this.topics = topics;
        this.keys = keys;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024),
                ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L << 20)),
                new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * {@code fact} from {@code guest}'s reporter under its next sequence number. The caller holds the
     * guest's monitor, so numbers reach the log in order.
     */
    void guestFact(SimGuest guest, Fact fact, Traceparent trace, LongConsumer appendedAt) {
        guestFact(guest, UUID.randomUUID().toString(), seq -> fact, trace, appendedAt);
    }

    /** As {@link #guestFact(SimGuest, Fact, Traceparent, LongConsumer)}, with its id, for a fact that states its own number (a rebound). */
    void guestFact(SimGuest guest, String id, LongFunction<? extends Fact> factAt, Traceparent trace, LongConsumer appendedAt) {
        long seq = guest.nextSeq();
        CloudEvent<Fact> event = CloudEvent.ofGuest(id, "/guest/" + guest.id + "/reporter", Instant.now(), guest.id,
                (Fact) factAt.apply(seq)).withGuestSeq(seq).withTraceparent(trace);
        send(topics.guestLog(), guest.id, Principal.guest(guest.id), event, appendedAt);
    }

    /** {@code fact} about {@code guest}'s placement {@code epoch} from {@code host}'s supervisor. */
    void hostFact(String host, String guest, Long epoch, Fact fact, Traceparent trace, LongConsumer appendedAt) {
        hostFact(host, guest, UUID.randomUUID().toString(), epoch, fact, trace, appendedAt);
    }

    /** As {@link #hostFact(String, String, Long, Fact, Traceparent, LongConsumer)}, with its id (what the records it causes name). */
    void hostFact(String host, String guest, String id, Long epoch, Fact fact, Traceparent trace, LongConsumer appendedAt) {
        CloudEvent<Fact> event = new CloudEvent<Fact>(id, "/host/" + host + "/supervisor",
                Instant.now(), guest, null, host, epoch, fact).withTraceparent(trace);
        send(topics.guestLog(), guest, Principal.host(host), event, appendedAt);
    }

    /** A fact the fleet's operator writes about {@code guest} (its package). */
    void operatorFact(String guest, Fact fact) {
        CloudEvent<Fact> event = CloudEvent.ofGuest(UUID.randomUUID().toString(), "/operator/fleet-sim", Instant.now(), guest, fact);
        producer.send(KafkaBinding.record(topics.guestLog(), guest, keys.encodeAsWriter(event)), this::count);
    }

    void guestBeat(String guest) {
        send(topics.heartbeats(), guest, Principal.guest(guest), CloudEvent.ofGuest(UUID.randomUUID().toString(), "/guest/" + guest + "/reporter",
                Instant.now(), guest, new Heartbeat("guest", guest, List.of())), at -> { });
    }

    void hostBeat(String host, List<String> guests, LongConsumer appendedAt) {
        send(topics.hostHeartbeats(), host, Principal.host(host), new CloudEvent<>(UUID.randomUUID().toString(), "/host/" + host + "/supervisor",
                Instant.now(), null, null, host, null, new Heartbeat("host", host, guests)), appendedAt);
    }

    /** Sends that Kafka refused (none in a valid run). */
    long failedSends() {
        return failedSends.get();
    }

    void flush() {
        producer.flush();
    }

    private void send(String topic, String key, Principal writer, CloudEvent<? extends Payload> event, LongConsumer appendedAt) {
        Signer signer = signers.computeIfAbsent(writer, keys::signer);
        producer.send(KafkaBinding.record(topic, key, signer.encode(event)), (metadata, e) -> {
            count(metadata, e);
            if (e == null) {
                appendedAt.accept(metadata.timestamp());
            }
        });
    }

    private void count(RecordMetadata metadata, Exception e) {
        if (e != null) {
            failedSends.incrementAndGet();
        }
    }

    static Traceparent answering(CloudEvent<?> command) {
        return command.traceparent() == null ? Traceparent.start() : command.traceparent().child();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
