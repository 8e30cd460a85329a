package io.guestguard.reporter.messaging;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.Topics;
import io.guestguard.reporter.app.ApplicationSupervisor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Sends the guest's facts to {@code guest-log.v1}, keyed by the guest id, as soon as they happen
 * ({@code linger.ms=0}), with an idempotent producer and {@code acks=all}; beats on
 * {@code heartbeats.v1}; and sends what the reporter could not process to the dead-letter topic.
 */
public final class FactPublisher implements ApplicationSupervisor.Listener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FactPublisher.class);
    private static final String SERVICE = "guest-reporter";

    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;
    private final String guestId;
    private final String source;
    private final EventCodec codec;

    public FactPublisher(String bootstrapServers, Topics topics, String guestId, EventCodec codec) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "guest-reporter-" + guestId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "0"),
                new StringSerializer(), new ByteArraySerializer());
        this.topics = topics;
        this.guestId = guestId;
        this.source = "/guest/" + guestId + "/reporter";
        this.codec = codec;
    }

    @Override
    public void started(String app, long pid) {
        LOG.infof("%s started, pid %d", app, pid);
        publish(new AppStarted(app, pid));
    }

    @Override
    public void failed(AppFailed failure) {
        LOG.warnf("%s failed (%s), pid %d", failure.app(), failure.cause(), failure.pid());
        publish(failure);
    }

    @Override
    public void stopped(String app, long pid) {
        LOG.infof("%s stopped, pid %d", app, pid);
        publish(new AppStopped(app, pid));
    }

    /** Sends a record this reporter consumed but cannot process to the dead-letter topic. */
    public void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf("dead-lettering %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), reason);
        producer.send(DeadLetter.record(topics.deadLetter(), record.key(), record.value(), reason,
                record.topic(), record.partition(), record.offset(), SERVICE), this::logFailure);
    }

    /** One liveness beat for this guest on {@code heartbeats.v1}, keyed by the guest id. */
    public void heartbeat() {
        CloudEvent<Heartbeat> beat = CloudEvent.ofGuest(UUID.randomUUID().toString(), source, Instant.now(), guestId,
                new Heartbeat("guest", guestId, List.of()));
        producer.send(new ProducerRecord<>(topics.heartbeats(), guestId, codec.encode(beat)), this::logFailure);
    }

    private void publish(Fact fact) {
        CloudEvent<Fact> event = CloudEvent.ofGuest(UUID.randomUUID().toString(), source, Instant.now(), guestId, fact);
        producer.send(new ProducerRecord<>(topics.guestLog(), guestId, codec.encode(event)), this::logFailure);
    }

    private void logFailure(Object metadata, Exception error) {
        if (error != null) {
            LOG.errorf(error, "a record could not be sent to Kafka");
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
