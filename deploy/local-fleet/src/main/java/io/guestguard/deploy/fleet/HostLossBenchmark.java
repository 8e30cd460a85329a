package io.guestguard.deploy.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host loss to failover decided, on the running policy engine: for each run a guest is applied to
 * a fresh pair of hosts, started on the first (as its host supervisor would report), and both hosts
 * beat on {@code host-heartbeats.v1} every 250 ms (the host supervisor's default); then the first host
 * stops beating. Measured: from its last beat to the moment the engine's decision to fence it (the
 * package waits for fencing) is read back, committed, from {@code decisions.v1}. That covers the
 * engine's host-loss detector noticing the silence, its {@code host.lost} fact, and the decision.
 */
final class HostLossBenchmark {

    static final Duration BEAT = Duration.ofMillis(250);

    private final String bootstrapServers;
    private final Topics topics;
    private final EventCodec codec = new EventCodec();
    private final BlockingQueue<CloudEvent<?>> decisions = new LinkedBlockingQueue<>();

    HostLossBenchmark(Timeline timeline, String bootstrapServers, Topics topics) {
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        timeline.addListener(event -> {
            if (event.data() instanceof Decision) {
                decisions.add(event);
            }
        });
    }

    /** Milliseconds from the last beat to the committed decision, sorted, one per run. */
    List<Long> run(int runs, PrintStream out) throws Exception {
        List<Long> millis = new ArrayList<>();
        ScheduledExecutorService beats = Executors.newScheduledThreadPool(1);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.LINGER_MS_CONFIG, "0"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < runs; i++) {
                String run = UUID.randomUUID().toString().substring(0, 8);
                String guest = "hostloss-" + run;
                String primary = "primary-" + run;
                String standby = "standby-" + run;
                send(producer, topics.guestLog(), guest, CloudEvent.ofGuest(UUID.randomUUID().toString(), "/bench", Instant.now(),
                        guest, new PackageApplied(new PackageSpec(guest, List.of(primary, standby),
                                PackageSpec.FailoverPolicy.CONFIGURED_NODE, PackageSpec.FailbackPolicy.MANUAL, true, true,
                                List.of(new PackageSpec.AppPolicy("app1", "exec", "sleep 86400", 3, null, PackageSpec.Backoff.NONE))))));
                AtomicLong lastBeat = new AtomicLong();
                ScheduledFuture<?> primaryBeats = beats.scheduleAtFixedRate(() -> {
                    beat(producer, primary);
                    lastBeat.set(System.nanoTime());
                }, 0, BEAT.toMillis(), TimeUnit.MILLISECONDS);
                ScheduledFuture<?> standbyBeats = beats.scheduleAtFixedRate(() -> beat(producer, standby), 0,
                        BEAT.toMillis(), TimeUnit.MILLISECONDS);
                next(guest, Decision.Action.START_GUEST);
                send(producer, topics.guestLog(), guest, new CloudEvent<Payload>(UUID.randomUUID().toString(),
                        "/host/" + primary + "/supervisor", Instant.now(), guest, null, primary, 1L, new GuestStarted(primary)));
                // Let the detector know the primary for a few beats before it falls silent.
                Thread.sleep(BEAT.toMillis() * 4);
                primaryBeats.cancel(false);
                long silentSince = lastBeat.get();
                next(guest, Decision.Action.FENCE_HOST);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentSince);
                standbyBeats.cancel(false);
                millis.add(ms);
                out.printf("  run %d: %s silent -> fence decided in %d ms%n", i + 1, primary, ms);
            }
        } finally {
            beats.shutdownNow();
        }
        Collections.sort(millis);
        return millis;
    }

    static String summary(List<Long> millis) {
        return String.format(Locale.ROOT, "result: host loss -> failover decided: runs %d  p50 %d ms  max %d ms (target <= 2000 ms)",
                millis.size(), millis.get((millis.size() - 1) / 2), millis.get(millis.size() - 1));
    }

    private void next(String guest, Decision.Action action) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            CloudEvent<?> event = decisions.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new IllegalStateException("no " + action + " decision for " + guest + " within 30 s");
            }
            if (guest.equals(event.guestId()) && ((Decision) event.data()).action() == action) {
                return;
            }
        }
    }

    private void beat(KafkaProducer<String, byte[]> producer, String host) {
        send(producer, topics.hostHeartbeats(), host, new CloudEvent<>(UUID.randomUUID().toString(), "/host/" + host + "/supervisor",
                Instant.now(), null, null, host, null, new Heartbeat("host", host, List.of())));
    }

    private void send(KafkaProducer<String, byte[]> producer, String topic, String key, CloudEvent<?> event) {
        producer.send(new ProducerRecord<>(topic, key, codec.encode(event)));
    }
}
