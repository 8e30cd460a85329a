package io.guestguard.host.supervisor;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Writes this host's facts to {@code guest-log.v1} (keyed by guest, stamped with the host id and the
 * placement epoch they are about) and dead letters to {@code dead-letter.v1}. Each write waits for
 * Kafka's {@code acks=all} answer, retrying until it lands: a command is only marked done in the
 * journal once its outcome is on the log, so a supervisor that dies before that reports it again.
 */
public final class FactWriter implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FactWriter.class);
    private static final String SERVICE = "host-supervisor";

    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;
    private final String host;
    private final EventCodec codec;
    private final Clock clock;
    private volatile boolean closed;

    public FactWriter(String bootstrapServers, Topics topics, String host, EventCodec codec, Clock clock) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "host-supervisor-" + host + "-facts",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "0"),
                new StringSerializer(), new ByteArraySerializer());
        this.topics = topics;
        this.host = host;
        this.codec = codec;
        this.clock = clock;
    }

    /** Writes {@code fact} about {@code guest}'s placement {@code epoch}; returns once Kafka has it. */
    public CloudEvent<Fact> write(String guest, Long epoch, Fact fact) {
        CloudEvent<Fact> event = new CloudEvent<>(UUID.randomUUID().toString(), "/host/" + host + "/supervisor",
                clock.instant(), guest, null, host, epoch, fact);
        send(new ProducerRecord<>(topics.guestLog(), guest, codec.encode(event)));
        LOG.infof("%s: %s (epoch %s)", guest, fact.describe(), epoch);
        return event;
    }

    /** Dead-letters a command record that cannot be applied, with the reason. */
    public void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf("dead-lettering %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), reason);
        send(DeadLetter.record(topics.deadLetter(), record.key(), record.value(), reason, record.topic(),
                record.partition(), record.offset(), SERVICE));
    }

    private void send(ProducerRecord<String, byte[]> record) {
        Duration backoff = Duration.ofMillis(100);
        while (!closed) {
            try {
                Future<?> sent = producer.send(record);
                sent.get();
                return;
            } catch (ExecutionException e) {
                LOG.warnf("writing to %s failed (%s); retrying in %d ms", record.topic(), e.getCause(), backoff.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing to " + record.topic(), e);
            }
            try {
                Thread.sleep(backoff.toMillis()); // retry pacing, not a wait for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing to " + record.topic(), e);
            }
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : backoff.multipliedBy(2);
        }
        throw new IllegalStateException("closed before " + record.topic() + " took the record");
    }

    @Override
    public void close() {
        closed = true;
        producer.close(Duration.ofSeconds(5));
    }
}
