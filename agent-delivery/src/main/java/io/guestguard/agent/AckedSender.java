package io.guestguard.agent;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.guestguard.protocol.FreeText;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * An agent's writes to Kafka that must not be lost: each {@link #send} waits until Kafka has the
 * record, so what follows it (a command marked done, the next command read) only happens once it is
 * on the log. A write that fails is tried again after the first delay, doubling up to the longest,
 * as many times as allowed in all (each attempt bounded by the producer's own timeouts); then it
 * throws, and {@link #trouble} says why (for the readiness check) until a write lands again.
 */
public final class AckedSender implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AckedSender.class);

    private final Producer<String, byte[]> producer;
    private final int attempts;
    private final RetryPolicy<Object> retry;
    private volatile boolean closed;
    /** Why the last write gave up, until a write lands; null while writes land. */
    private volatile String trouble;

    public AckedSender(Producer<String, byte[]> producer, int attempts, Duration firstDelay, Duration maxDelay) {
        this.producer = producer;
        this.attempts = attempts;
        this.retry = RetryPolicy.builder()
                .withBackoff(firstDelay, maxDelay)
                .withMaxAttempts(attempts)
                .abortOn(e -> closed || e instanceof InterruptedException)
                .onRetry(e -> LOG.warnf("writing to Kafka failed (%s); attempt %d of %d", cause(e.getLastException()),
                        e.getAttemptCount() + 1, attempts))
                .build();
    }

    /**
     * Writes {@code record} and returns once Kafka has it.
     *
     * @param what names the record for the error and {@link #trouble}, e.g. {@code "fact about g1"}
     * @throws IllegalStateException when every attempt failed, or this sender was closed meanwhile
     */
    public void send(ProducerRecord<String, byte[]> record, String what) {
        try {
            Failsafe.with(retry).run(() -> producer.send(record).get());
            trouble = null;
        } catch (RuntimeException e) { // a FailsafeException wraps what the last attempt threw
            Throwable cause = e instanceof FailsafeException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String why = closed ? what + " not written: closed before " + record.topic() + " took it"
                    : what + " not written to " + record.topic() + " after " + attempts + " attempts: " + cause(cause);
            if (!closed) {
                trouble = why;
                LOG.errorf("%s", why);
            }
            throw new IllegalStateException(why, cause);
        }
    }

    /**
     * Writes {@code record} without waiting, for what is soon followed by a newer one (a beat): a lost
     * one is not tried again. One that lands shows that Kafka takes writes again.
     */
    public void sendAndForget(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    trouble = null;
                } else {
                    LOG.debugf("%s record not delivered to Kafka: %s", record.topic(), error.getMessage());
                }
            });
        } catch (RuntimeException e) {
            LOG.debugf("%s record not sent: %s", record.topic(), e.getMessage()); // no metadata while Kafka is unreachable
        }
    }

    /** Why writes are failing past their limit, if they are. */
    public Optional<String> trouble() {
        return Optional.ofNullable(trouble);
    }

    private static String cause(Throwable e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return FreeText.clean(String.valueOf(cause));
    }

    /** Stops retrying and closes the producer, waiting up to {@code timeout} for what it holds. */
    public void close(Duration timeout) {
        closed = true;
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
