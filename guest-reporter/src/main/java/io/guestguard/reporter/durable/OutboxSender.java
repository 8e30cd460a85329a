package io.guestguard.reporter.durable;

import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Delivers the {@link Outbox} to Kafka in seq order, keyed by the guest, and acknowledges each fact
 * in the outbox once Kafka has it. One daemon thread sends whatever is pending and not yet sent; it
 * sleeps on a condition that appends, acknowledgements and failures signal.
 *
 * <p><b>Order.</b> An idempotent producer writes its records to the partition in the order they were
 * sent, with no gap, as long as none of them failed: the broker refuses a producer's record whose
 * sequence does not follow the last one it wrote. After a failure (a record expired while the broker
 * was unreachable) the producer renumbers the records behind it, which lets a later record be written
 * although an earlier one was not. So at the first failure this sender closes that producer at once,
 * with no wait, inside the failure's callback on the producer's own I/O thread, before it can send
 * anything renumbered; then it makes a new producer (after a backoff) and sends every unacknowledged
 * fact again from the lowest seq. Whatever the old producer still gets written is a contiguous run of
 * what it was given, so in the log every seq is either the next new one or a duplicate of an earlier
 * one, which consumers drop by seq.
 *
 * <p><b>Stalls.</b> A producer whose oldest record has had no answer for {@code stallTimeout} (for
 * instance a connection that died silently when the guest was live-migrated) is replaced the same way,
 * so fresh connections are made; {@link #recreateIfStalled(Duration)} does it on demand.
 */
public final class OutboxSender implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OutboxSender.class);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** What the argument above relies on; always applied over the caller's settings. */
    private static final Map<String, Object> REQUIRED = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.LINGER_MS_CONFIG, "0",
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");

    private record Flight(long seq, long sentNanos) {
    }

    private final Outbox outbox;
    private final String topic;
    private final String key;
    private final Supplier<? extends Producer<String, byte[]>> producers;
    private final Duration stallTimeout;
    private final Duration closeTimeout;
    private final Thread thread;
    private final Runnable wakeUp = this::wakeUp;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong resent = new AtomicLong();
    private final AtomicLong recreated = new AtomicLong();

    // Guarded by lock. Never held while calling the producer, which calls back under it.
    private Producer<String, byte[]> producer;
    /** Identifies the current producer; callbacks of replaced ones do not touch {@link #inFlight}. */
    private long generation;
    private final ArrayDeque<Flight> inFlight = new ArrayDeque<>();
    private long lastSent;
    private long highestSent;
    /** Why the current producer must be replaced (or created); null while it is in use. */
    private String replaceReason = "start";
    private long replaceAtNanos;
    private int failures;
    private boolean closing;
    /** Since when facts have waited with no acknowledgement from Kafka ({@code System.nanoTime}); -1 while none waits. */
    private long waitingSinceNanos = -1;

    /**
     * @param topic where facts go ({@code guest-log.v1})
     * @param key the guest id: every fact of the guest in one partition, in order
     * @param producers makes each producer, with fresh connections; see {@link #kafkaProducers}
     * @param stallTimeout how long the oldest record sent may go unanswered before the producer is replaced
     * @param closeTimeout how long {@link #close()} waits for records in flight
     */
    public OutboxSender(Outbox outbox, String topic, String key, Supplier<? extends Producer<String, byte[]>> producers,
                        Duration stallTimeout, Duration closeTimeout) {
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stall timeout must be positive, not " + stallTimeout);
        }
        this.outbox = Objects.requireNonNull(outbox);
        this.topic = Objects.requireNonNull(topic);
        this.key = Objects.requireNonNull(key);
        this.producers = Objects.requireNonNull(producers);
        this.stallTimeout = stallTimeout;
        this.closeTimeout = Objects.requireNonNull(closeTimeout);
        this.thread = new Thread(this::run, "outbox-sender-" + key);
        thread.setDaemon(true);
    }

    /**
     * Producer settings for {@link #kafkaProducers}: a record is given up after {@code deliveryTimeout}
     * (then resent by this sender), a request after {@code requestTimeout}; {@code send} blocks at most
     * {@code deliveryTimeout} for metadata.
     */
    public static Map<String, Object> producerConfig(KafkaClientSettings kafka, String clientId, Duration deliveryTimeout,
                                                     Duration requestTimeout) {
        if (deliveryTimeout.compareTo(requestTimeout) < 0) {
            throw new IllegalArgumentException("delivery timeout " + deliveryTimeout + " is shorter than request timeout "
                    + requestTimeout);
        }
        Map<String, Object> config = new HashMap<>(kafka.properties());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, deliveryTimeout.toMillis());
        config.putAll(REQUIRED);
        return config;
    }

    /** Makes a new {@link KafkaProducer} per call from {@code config}, with the settings order needs on top. */
    public static Supplier<Producer<String, byte[]>> kafkaProducers(Map<String, Object> config) {
        Map<String, Object> settings = new HashMap<>(config);
        settings.putAll(REQUIRED);
        return () -> new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    }

    /** Starts sending; what the outbox already holds goes first. */
    public void start() {
        outbox.addAppendListener(wakeUp);
        thread.start();
    }

    /**
     * Sends every unacknowledged fact again from the lowest seq, on a new producer (a rebind: what
     * was in flight may sit on a dead connection). Nothing happens if nothing is unacknowledged.
     */
    public void resendUnacknowledged() {
        lock.lock();
        try {
            if (outbox.size() > 0) {
                replace(generation, "resend requested", false);
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #recreateIfStalled(Duration)} with this sender's stall timeout. */
    public boolean recreateIfStalled() {
        return recreateIfStalled(stallTimeout);
    }

    /**
     * Replaces the producer and resends from the lowest unacknowledged seq if the oldest record in
     * flight has had no answer for {@code noAnswerFor}.
     *
     * @return whether it did
     */
    public boolean recreateIfStalled(Duration noAnswerFor) {
        lock.lock();
        try {
            Flight oldest = inFlight.peekFirst();
            return oldest != null && System.nanoTime() - oldest.sentNanos() >= noAnswerFor.toNanos()
                    && replace(generation, "no answer from Kafka for " + noAnswerFor.toMillis() + " ms", false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Failures in a row since Kafka last acknowledged a fact (each one replaced the producer after a
     * growing backoff, up to 10 s). The sender never gives up, since its facts wait on disk; past a
     * few of these the reporter's readiness check reports it.
     */
    public int consecutiveFailures() {
        lock.lock();
        try {
            return failures;
        } finally {
            lock.unlock();
        }
    }

    /**
     * How long facts have waited with no acknowledgement from Kafka: since the first was sent with
     * none waiting before it, or since the last acknowledgement while more wait. Empty while none waits.
     */
    public Optional<Duration> unacknowledgedFor() {
        lock.lock();
        try {
            return waitingSinceNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(System.nanoTime() - waitingSinceNanos));
        } finally {
            lock.unlock();
        }
    }

    /** Whether the sending thread still runs (it stops only when closed, or on an unforeseen error). */
    public boolean running() {
        return thread.isAlive();
    }

    /** Records handed to a producer, resends included. */
    public long sent() {
        return sent.get();
    }

    /** Records Kafka confirmed, duplicates included. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Records sent again after a failure, a stall or a resend request. */
    public long resent() {
        return resent.get();
    }

    /** Producers replaced after a failure, a stall or a resend request. */
    public long producersRecreated() {
        return recreated.get();
    }

    private void run() {
        lock.lock();
        try {
            while (!closing) {
                long now = System.nanoTime();
                Flight oldest = inFlight.peekFirst();
                if (replaceReason != null) {
                    if (replaceAtNanos - now > 0) {
                        changed.awaitNanos(replaceAtNanos - now);
                    } else {
                        replaceProducer();
                    }
                } else if (oldest != null && now - oldest.sentNanos() >= stallTimeout.toNanos()) {
                    replace(generation, "no answer from Kafka for " + stallTimeout.toMillis() + " ms", true);
                } else {
                    List<Outbox.Entry> fresh = outbox.pendingAfter(lastSent);
                    if (!fresh.isEmpty()) {
                        send(fresh);
                    } else if (oldest != null) {
                        changed.awaitNanos(oldest.sentNanos() + stallTimeout.toNanos() - now);
                    } else {
                        changed.await();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "outbox sender for %s stopped; facts stay in the outbox", key);
        } finally {
            lock.unlock();
        }
    }

    /** Sends {@code entries} on the current producer; called and returns with the lock held. */
    private void send(List<Outbox.Entry> entries) {
        Producer<String, byte[]> target = producer;
        long gen = generation;
        long now = System.nanoTime();
        for (Outbox.Entry entry : entries) {
            inFlight.addLast(new Flight(entry.seq(), now));
            if (entry.seq() <= highestSent) {
                resent.incrementAndGet();
            }
            highestSent = Math.max(highestSent, entry.seq());
        }
        lastSent = entries.get(entries.size() - 1).seq();
        if (waitingSinceNanos < 0) {
            waitingSinceNanos = now;
        }
        RuntimeException failure = null;
        lock.unlock();
        try {
            for (Outbox.Entry entry : entries) {
                long seq = entry.seq();
                target.send(KafkaBinding.record(topic, key, entry.payload()), (metadata, error) -> completed(gen, seq, error));
                sent.incrementAndGet();
            }
        } catch (RuntimeException e) {
            failure = e; // before the record was queued: nothing after it was sent
        } finally {
            lock.lock();
        }
        if (failure != null) {
            replace(gen, "send failed: " + failure, true);
        }
    }

    private void completed(long gen, long seq, Exception error) {
        if (error == null) {
            acknowledged.incrementAndGet();
            try {
                // Also from a replaced producer: what it wrote is a contiguous run, so all up to seq is in.
                outbox.acknowledge(seq);
            } catch (RuntimeException e) {
                LOG.warnf("cannot record Kafka's acknowledgement of seq %d: %s (it will be resent)", seq, e);
            }
            lock.lock();
            try {
                // Any answer counts, a replaced producer's too: Kafka took facts. What is left waits from now.
                waitingSinceNanos = outbox.size() == 0 ? -1 : System.nanoTime();
                if (gen == generation) {
                    while (!inFlight.isEmpty() && inFlight.peekFirst().seq() <= seq) {
                        inFlight.removeFirst();
                    }
                    if (failures > 0) {
                        LOG.infof("facts reach %s again (seq %d acknowledged)", topic, seq);
                        failures = 0;
                    }
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
            return;
        }
        Producer<String, byte[]> failed = null;
        lock.lock();
        try {
            if (replace(gen, "seq " + seq + " not delivered: " + error, true)) {
                failed = producer;
            }
        } finally {
            lock.unlock();
        }
        if (failed != null) {
            abandon(failed); // now, before its I/O thread sends anything renumbered: see the class comment
        }
    }

    /**
     * Marks producer {@code gen} for replacement, unless it is already replaced or marked.
     *
     * @param backoff whether to wait before the new producer (failures), growing with each one
     */
    private boolean replace(long gen, String reason, boolean backoff) {
        if (gen != generation || replaceReason != null || closing) {
            return false;
        }
        replaceReason = reason;
        long delay = 0;
        if (backoff) {
            failures++;
            delay = Math.min(MAX_BACKOFF_NANOS, MIN_BACKOFF_NANOS << Math.min(failures - 1, 20));
        }
        replaceAtNanos = System.nanoTime() + delay;
        LOG.warn(String.format("guest %s facts to %s: %s; replacing the Kafka producer%s and resending %d unacknowledged facts from seq %d",
                key, topic, reason, delay > 0 ? " in " + TimeUnit.NANOSECONDS.toMillis(delay) + " ms" : "",
                outbox.size(), outbox.lastAcknowledged() + 1));
        changed.signalAll();
        return true;
    }

    /** Closes the old producer and makes a new one; called and returns with the lock held. */
    private void replaceProducer() {
        Producer<String, byte[]> old = producer;
        producer = null;
        generation++;
        inFlight.clear();
        Producer<String, byte[]> fresh = null;
        RuntimeException failure = null;
        lock.unlock();
        try {
            if (old != null) {
                abandon(old);
            }
            fresh = producers.get();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            lock.lock();
        }
        if (closing) {
            if (fresh != null) {
                abandon(fresh);
            }
            return;
        }
        if (failure != null) {
            replaceReason = null;
            replace(generation, "cannot create a Kafka producer: " + failure, true);
            return;
        }
        producer = fresh;
        replaceReason = null;
        lastSent = outbox.lastAcknowledged();
        if (old != null) {
            recreated.incrementAndGet();
        }
    }

    private static void abandon(Producer<String, byte[]> producer) {
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.debugf("closing an abandoned producer: %s", e);
        }
    }

    private void wakeUp() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops sending and closes the producer, waiting up to the close timeout for records in flight,
     * whose acknowledgements still reach the outbox. What is not acknowledged stays in the outbox for
     * the next sender. Does not close the outbox.
     */
    @Override
    public void close() {
        Producer<String, byte[]> last;
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            last = producer;
            producer = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        outbox.removeAppendListener(wakeUp);
        if (last != null) {
            try {
                // Also wakes the thread if it is blocked in send() waiting for metadata.
                last.close(closeTimeout);
            } catch (RuntimeException e) {
                LOG.debugf("closing the producer: %s", e);
            }
        }
        try {
            thread.join(closeTimeout.toMillis() + TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warnf("outbox sender for %s did not stop in time", key);
        }
    }
}
