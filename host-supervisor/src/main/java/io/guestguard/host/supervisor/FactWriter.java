package io.guestguard.host.supervisor;

import io.guestguard.agent.AckedSender;
import io.guestguard.agent.DeadLetterWriter;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Writes this host's facts to {@code guest-log.v1} (keyed by guest, stamped with the host id and the
 * placement epoch they are about) and dead letters to {@code dead-letter.v1}. Each write waits for
 * Kafka's {@code acks=all} answer: a command is only marked done in the journal once its outcome is
 * on the log, so a supervisor that dies before that reports it again. A write that fails is tried
 * again after 100 ms, doubling up to 5 s, {@value #ATTEMPTS} times in all (each attempt bounded by the
 * producer's delivery timeout); then it throws, and this writer reports itself failing
 * ({@link #trouble}) until a write succeeds again.
 */
public final class FactWriter implements AutoCloseable {

    static final int ATTEMPTS = 6;
    private static final Logger LOG = Logger.getLogger(FactWriter.class);

    private final AckedSender sender;
    private final DeadLetterWriter deadLetters;
    private final Topics topics;
    private final String host;
    /** Signs each fact with the host's key, when trust is on. */
    private final Signer signer;
    private final Clock clock;

    public FactWriter(KafkaClientSettings kafka, Topics topics, String host, Signer signer, Clock clock) {
        this(kafka, topics, host, signer, clock, Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /** With the retries' first and longest delay (tests shorten them). */
    FactWriter(KafkaClientSettings kafka, Topics topics, String host, Signer signer, Clock clock, Duration firstDelay,
               Duration maxDelay) {
        this.sender = new AckedSender(new KafkaProducer<>(kafka.with(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "host-supervisor-" + host + "-facts",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "0",
                // One attempt ends within these, so the attempts above bound a write.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000")),
                new StringSerializer(), new ByteArraySerializer()), ATTEMPTS, firstDelay, maxDelay);
        this.deadLetters = new DeadLetterWriter(sender, topics.deadLetter(), "host-supervisor");
        this.topics = topics;
        this.host = host;
        this.signer = signer;
        this.clock = clock;
    }

    /**
     * Writes {@code fact} about {@code guest}'s placement {@code epoch}, which starts a chain (a trace
     * of its own: a guest that crashed or runs where it is not placed); returns once Kafka has it.
     */
    public CloudEvent<Fact> write(String guest, Long epoch, Fact fact) {
        return write(guest, epoch, fact, Traceparent.start());
    }

    /** As {@link #write}, for a fact that answers {@code command}: it continues the command's trace. */
    public CloudEvent<Fact> answer(CloudEvent<?> command, String guest, Long epoch, Fact fact) {
        return write(guest, epoch, fact, command.traceparent() == null ? Traceparent.start() : command.traceparent().child());
    }

    private CloudEvent<Fact> write(String guest, Long epoch, Fact fact, Traceparent trace) {
        CloudEvent<Fact> event = new CloudEvent<Fact>(UUID.randomUUID().toString(), "/host/" + host + "/supervisor",
                clock.instant(), guest, null, host, epoch, fact).withTraceparent(trace);
        sender.send(KafkaBinding.record(topics.guestLog(), guest, signer.encode(event)), "fact about " + guest);
        LOG.infof("%s: %s (epoch %s)", guest, fact.describe(), epoch);
        return event;
    }

    /** Dead-letters a command record that cannot be applied, with the reason. */
    public void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        deadLetters.write(record, reason);
    }

    /** Why writes are failing past their limit, if they are: for the readiness check. */
    public Optional<String> trouble() {
        return sender.trouble().map(why -> "facts: " + why);
    }

    @Override
    public void close() {
        sender.close();
    }
}
