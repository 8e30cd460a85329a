package io.guestguard.reporter.messaging;

import io.guestguard.agent.AckedSender;
import io.guestguard.agent.DeadLetterWriter;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.guestguard.reporter.app.ApplicationSupervisor;
import io.guestguard.reporter.durable.Outbox;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongFunction;

/**
 * Turns what happens in the guest into facts: each one gets the guest's next sequence number and is
 * written to the durable {@link Outbox} first, from which an {@code OutboxSender} delivers it to
 * {@code guest-log.v1}; a failure is marked to be kept when the outbox overflows. Heartbeats and dead
 * letters are not facts: they go straight to Kafka on a producer of their own, and a lost beat is
 * simply followed by the next one. Each fact carries a trace: a failure and the reporter's start
 * begin one; a {@code started} or {@code stopped} that answers a command, and a {@code rebound},
 * continue the command's ({@link CommandTraces}).
 */
public final class FactPublisher implements ApplicationSupervisor.Listener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FactPublisher.class);
    private static final String SERVICE = "guest-reporter";
    static final int DEAD_LETTER_ATTEMPTS = 8;

    private final Outbox outbox;
    /** Beats and dead letters: not facts, so they go straight to Kafka. */
    private final AckedSender direct;
    private final DeadLetterWriter deadLetters;
    private final Topics topics;
    private final String guestId;
    private final String source;
    /** Signs every fact and beat with the guest's key (when trust is on): at encoding, since the outbox keeps bytes. */
    private final Signer signer;
    private final CommandTraces traces = new CommandTraces();

    public FactPublisher(Outbox outbox, KafkaClientSettings kafka, Topics topics, String guestId, Signer signer) {
        this(outbox, kafka, topics, guestId, signer, Duration.ofMillis(100), Duration.ofSeconds(5),
                DEAD_LETTER_ATTEMPTS);
    }

    /** With the dead-letter retries' first and longest delay and number of attempts (tests shorten them). */
    FactPublisher(Outbox outbox, KafkaClientSettings kafka, Topics topics, String guestId, Signer signer,
                  Duration firstDelay, Duration maxDelay, int attempts) {
        this.outbox = outbox;
        this.direct = new AckedSender(new KafkaProducer<>(kafka.with(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "guest-reporter-" + guestId + "-beats",
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, "0",
                // A beat older than a few seconds says nothing any more: give up on it rather than queue it.
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000")),
                new StringSerializer(), new ByteArraySerializer()), attempts, firstDelay, maxDelay);
        this.deadLetters = new DeadLetterWriter(direct, topics.deadLetter(), "guest-reporter");
        this.topics = topics;
        this.guestId = guestId;
        this.source = "/guest/" + guestId + "/reporter";
        this.signer = signer;
    }

    @Override
    public void started(String app, Long pid) {
        LOG.infof("%s started%s", app, pid != null ? ", pid " + pid : "");
        publish(new AppStarted(app, pid), traces.answer(app));
    }

    @Override
    public void failed(AppFailed failure) {
        LOG.warnf("%s %s", failure.app(), failure.describe());
        publish(failure, Traceparent.start()); // a failure starts a chain
    }

    @Override
    public void stopped(String app, Long pid) {
        LOG.infof("%s stopped%s", app, pid != null ? ", pid " + pid : "");
        publish(new AppStopped(app, pid), traces.answer(app));
    }

    /**
     * {@code app}'s next {@code started} or {@code stopped} answers {@code command} (a restart, start
     * or stop about to be applied), and continues its trace.
     */
    public void answering(String app, CloudEvent<?> command) {
        traces.expect(app, command.traceparent());
    }

    /** Writes {@code fact}, which starts a chain (a trace of its own), to the outbox; returns its sequence number. */
    public long publish(Fact fact) {
        return publish(fact, Traceparent.start());
    }

    /** Writes {@code fact} in {@code trace} to the outbox under the next sequence number; returns that number. */
    public long publish(Fact fact, Traceparent trace) {
        return append(fact instanceof AppFailed, seq -> fact, trace);
    }

    /** As {@link #publish(Fact)}, for a fact that states its own sequence number and answers {@code command} (a rebound). */
    public long publish(LongFunction<? extends Fact> factAt, CloudEvent<?> command) {
        return append(false, factAt, command.traceparent() == null ? Traceparent.start() : command.traceparent().child());
    }

    private long append(boolean keepOnOverflow, LongFunction<? extends Fact> factAt, Traceparent trace) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        return outbox.append(keepOnOverflow, seq -> signer.encode(CloudEvent.ofGuest(id, source, now, guestId,
                (Fact) factAt.apply(seq)).withGuestSeq(seq).withTraceparent(trace)));
    }

    /**
     * Sends a record this reporter consumed but cannot process to the dead-letter topic, and waits
     * until Kafka has it, so it is not lost; the caller (the command listener) goes on with the next
     * command only then. A failed write is tried again after 100 ms, doubling up to 5 s,
     * {@value #DEAD_LETTER_ATTEMPTS} times in all (each bounded by the producer's 2 s block and 5 s
     * delivery timeout); then this throws, and {@link #trouble} reports it until a write to Kafka
     * (a dead letter or a heartbeat) succeeds again.
     */
    public void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        deadLetters.write(record, reason);
    }

    /** Why dead letters do not reach Kafka past their retries, if they do not: for the readiness check. */
    public Optional<String> trouble() {
        return direct.trouble();
    }

    /** One liveness beat for this guest on {@code heartbeats.v1}, keyed by the guest id. */
    public void heartbeat() {
        CloudEvent<Heartbeat> beat = CloudEvent.ofGuest(UUID.randomUUID().toString(), source, Instant.now(), guestId,
                new Heartbeat("guest", guestId, List.of()));
        direct.sendAndForget(KafkaBinding.record(topics.heartbeats(), guestId, signer.encode(beat)));
    }

    @Override
    public void close() {
        direct.close(Duration.ofSeconds(2));
    }
}
