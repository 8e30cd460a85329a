package io.guestguard.deploy.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A storm of well-formed guest heartbeats on {@code heartbeats.v1}, what {@code guests} guests send in
 * {@code beats} beat intervals, written as fast as one producer can (batched, acknowledged by the
 * leader): the load that once made the engine's host-loss detector take two beating hosts for lost
 * (issue 12). Each guest's beat is encoded once and sent {@code beats} times, keyed by the guest,
 * round-robin over the guests as a fleet's beats would interleave. The guests are {@code storm-g<i>}:
 * no package names them, so they are nobody's guests; unless {@link #startGuests} reported them
 * running, the migration watcher has nothing due for them, and the engine does not read guest beats
 * at all.
 */
final class GuestBeatStorm {

    /** What a storm wrote: records, and the time from the first send to the last acknowledgement. */
    record Result(long records, Duration took) {
        double perSecond() {
            return records * 1000.0 / Math.max(1, took.toMillis());
        }

        String summary() {
            return String.format(Locale.ROOT, "%,d guest beats written in %.2f s (%,.0f per second)", records,
                    took.toMillis() / 1000.0, perSecond());
        }
    }

    private final String bootstrapServers;
    private final Topics topics;
    private final EventCodec codec = new EventCodec();
    private volatile boolean stopped;

    GuestBeatStorm(String bootstrapServers, Topics topics) {
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
    }

    /** Writes {@code guests} × {@code beats} beats and returns once the broker acknowledged them all. */
    Result write(int guests, int beats) throws InterruptedException {
        return write(guests, beats, 0);
    }

    /**
     * As {@link #write(int, int)}, at most {@code perSecond} beats a second ({@code 0}: as fast as it
     * goes), paced in steps of 10 ms: a sustained load rather than a burst.
     */
    Result write(int guests, int beats, int perSecond) throws InterruptedException {
        List<byte[]> values = new ArrayList<>(guests);
        List<String> keys = new ArrayList<>(guests);
        Instant now = Instant.now();
        for (int g = 0; g < guests; g++) {
            String guest = "storm-g" + g;
            keys.add(guest);
            values.add(codec.encode(CloudEvent.ofGuest("storm-" + g + "-" + now.toEpochMilli(), "/guest/" + guest + "/reporter",
                    now, guest, new Heartbeat("guest", guest, List.of()))));
        }
        AtomicReference<Exception> failed = new AtomicReference<>();
        long started = System.nanoTime();
        long sent = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, "10",
                ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024),
                ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L << 20),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false"), new StringSerializer(), new ByteArraySerializer())) {
            for (int round = 0; round < beats && !stopped; round++) {
                for (int g = 0; g < guests && !stopped; g++) {
                    producer.send(KafkaBinding.record(topics.heartbeats(), keys.get(g), values.get(g)), (metadata, e) -> {
                        if (e != null) {
                            failed.compareAndSet(null, e);
                        }
                    });
                    sent++;
                    if (perSecond > 0 && sent % Math.max(1, perSecond / 100) == 0) {
                        pace(started, sent, perSecond);
                    }
                }
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException("the storm could not write to " + topics.heartbeats() + ": " + failed.get(), failed.get());
        }
        return new Result(sent, Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * Reports each of the storm's {@code guests} started on {@code host}, as a host supervisor would:
     * the migration watcher then watches them, and reads (decodes) each of their beats, as it does a
     * real fleet's. Returns once the broker acknowledged every fact.
     */
    void startGuests(int guests, String host) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.LINGER_MS_CONFIG, "10"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int g = 0; g < guests; g++) {
                String guest = "storm-g" + g;
                producer.send(KafkaBinding.record(topics.guestLog(), guest, codec.encode(new CloudEvent<>(
                        "storm-started-" + g, "/host/" + host + "/supervisor", Instant.now(), guest, null, host, 1L,
                        new GuestStarted(host)))));
            }
            producer.flush();
        }
    }

    /** Ends a {@link #write} in progress (from another thread) after the beat it is sending. */
    void stop() {
        stopped = true;
    }

    /** Waits until {@code sent} records are due at {@code perSecond} since {@code started}. */
    private static void pace(long started, long sent, int perSecond) throws InterruptedException {
        long due = started + TimeUnit.SECONDS.toNanos(sent) / perSecond;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
