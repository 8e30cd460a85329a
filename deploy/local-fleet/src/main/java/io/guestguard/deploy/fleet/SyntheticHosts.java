package io.guestguard.deploy.fleet;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hosts that are only their beats, for measuring the policy engine alone: each beats on
 * {@code host-heartbeats.v1} every {@link #BEAT} (the host supervisor's default) until stopped, and
 * guests are placed on them by answering the engine's start decisions as a supervisor would. It
 * follows the timeline for the engine's decisions and for every {@code host.lost} fact, so a
 * measurement can tell a real loss from a false one.
 */
final class SyntheticHosts implements AutoCloseable {

    static final Duration BEAT = Duration.ofMillis(250);
    /** Long enough for an engine that is still starting when a guest is placed. */
    private static final Duration DECISION_WAIT = Duration.ofSeconds(60);

    private final Topics topics;
    private final KafkaProducer<String, byte[]> producer;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> {
        Thread thread = new Thread(r, "synthetic-hosts");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, ScheduledFuture<?>> beating = new ConcurrentHashMap<>();
    /** Each synthetic host signs as itself, and the packages as the fleet's operator. */
    private final FleetKeys keys;
    /** Each host's last acknowledged beat: its append time on the broker's clock (the topic is LogAppendTime). */
    private final Map<String, AtomicLong> lastBeatAt = new ConcurrentHashMap<>();
    private final BlockingQueue<CloudEvent<?>> decisions = new LinkedBlockingQueue<>();
    private final List<CloudEvent<?>> losses = new CopyOnWriteArrayList<>();
    private final List<CloudEvent<?>> fences = new CopyOnWriteArrayList<>();

    SyntheticHosts(Timeline timeline, String bootstrapServers, Topics topics, FleetKeys keys) {
        this.topics = topics;
        this.keys = keys;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, "0", ProducerConfig.ACKS_CONFIG, "all",
                // Back on the broker soon after a pause, as the host supervisor's beats are.
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "250"),
                new StringSerializer(), new ByteArraySerializer());
        timeline.addListener(event -> {
            if (event.data() instanceof Decision decision) {
                decisions.add(event);
                if (decision.action() == Decision.Action.FENCE_HOST) {
                    fences.add(event);
                }
            } else if (event.data() instanceof HostLost) {
                losses.add(event);
            }
        });
    }

    /** {@code host} beats from now on, every {@link #BEAT}. */
    void beat(String host) {
        lastBeatAt.putIfAbsent(host, new AtomicLong(-1));
        keys.key(Principal.host(host)); // registered before its first beat
        beating.computeIfAbsent(host, h -> scheduler.scheduleAtFixedRate(() -> send(h), 0, BEAT.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * {@code host} stops beating, as a host that hangs. Returns the append time of its last beat the
     * broker acknowledged, once every beat sent has been answered.
     */
    Instant stop(String host) {
        ScheduledFuture<?> beats = beating.remove(host);
        if (beats != null) {
            beats.cancel(false);
        }
        try {
            scheduler.submit(producer::flush).get(30, TimeUnit.SECONDS); // after any beat in progress
        } catch (Exception e) {
            throw new IllegalStateException("cannot flush " + host + "'s last beats: " + e, e);
        }
        return Instant.ofEpochMilli(lastBeatAt.get(host).get());
    }

    /**
     * Applies a package for {@code guest} on {@code [host, standby]} (auto_run, waiting for fencing),
     * waits for the engine to start it on {@code host}, and reports it started there, as {@code host}'s
     * supervisor would.
     */
    void place(String guest, String host, String standby) throws InterruptedException {
        send(topics.guestLog(), guest, LocalFleet.OPERATOR, CloudEvent.ofGuest(UUID.randomUUID().toString(), "/bench", Instant.now(), guest,
                new PackageApplied(new PackageSpec(guest, List.of(host, standby), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                        PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(new PackageSpec.AppPolicy("app1", 3, null,
                        PackageSpec.Backoff.NONE))))));
        long epoch = ((Decision) next(guest, Decision.Action.START_GUEST).data()).epoch();
        send(topics.guestLog(), guest, Principal.host(host), new CloudEvent<Payload>(UUID.randomUUID().toString(), "/host/" + host + "/supervisor",
                Instant.now(), guest, null, host, epoch, new GuestStarted(host)));
    }

    /** Waits for the engine's next {@code action} about {@code guest}, skipping its other decisions. */
    CloudEvent<?> next(String guest, Decision.Action action) throws InterruptedException {
        long deadline = System.nanoTime() + DECISION_WAIT.toNanos();
        while (true) {
            CloudEvent<?> event = decisions.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new IllegalStateException("no " + action + " decision for " + guest + " within " + DECISION_WAIT.toSeconds() + " s");
            }
            if (guest.equals(event.guestId()) && ((Decision) event.data()).action() == action) {
                return event;
            }
        }
    }

    /** Every {@code host.lost} fact read so far, from the first. */
    List<CloudEvent<?>> losses() {
        return List.copyOf(losses);
    }

    /** Every decision to fence a host read so far, from the first. */
    List<CloudEvent<?>> fences() {
        return List.copyOf(fences);
    }

    private void send(String host) {
        producer.send(KafkaBinding.record(topics.hostHeartbeats(), host, keys.signer(Principal.host(host)).encode(new CloudEvent<>(
                UUID.randomUUID().toString(), "/host/" + host + "/supervisor", Instant.now(), null, null, host, null,
                new Heartbeat("host", host, List.of())))), (metadata, e) -> {
            if (e == null) {
                lastBeatAt.get(host).accumulateAndGet(metadata.timestamp(), Math::max);
            }
        });
    }

    private void send(String topic, String key, Principal as, CloudEvent<?> event) {
        producer.send(KafkaBinding.record(topic, key, keys.signer(as).encode(event)));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }
}
