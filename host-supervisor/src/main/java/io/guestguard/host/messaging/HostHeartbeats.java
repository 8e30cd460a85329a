package io.guestguard.host.messaging;

import io.guestguard.host.SupervisorService;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.Payload;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Beats for this host on {@code host-heartbeats.v1}, keyed by host id, at a configured interval, each
 * with the guests running here. The policy engine's detector turns missing beats into host-lost
 * facts; other hosts' supervisors read the inventories to refuse starting a guest that still runs.
 * The broker stamps each beat on append ({@code LogAppendTime}): the detector measures silence on
 * the broker's clock, so this host's clock does not matter. Each beat is signed with the host's key
 * when trust is on; none is sent before the supervisor has read its trust at start, since a beat it
 * could not sign would be refused.
 *
 * <p>On a graceful stop (SIGTERM: {@code systemctl stop} or {@code restart}) the last record of the
 * stream is, instead of a beat, a signed {@link HostLeaving}: the detector then counts the host
 * detached, not lost, and its guests (left running) are not fenced. It goes in the beats' own stream,
 * so no beat can follow it on the partition (a later beat would attach the host again), and the stop
 * waits for Kafka's acknowledgement of it, {@link #LEAVE_WAIT} at most beyond a beat interval.
 */
@ApplicationScoped
public class HostHeartbeats {

    private static final Logger LOG = Logger.getLogger(HostHeartbeats.class);
    /** How long a stop waits for the leaving's acknowledgement, beyond the beat interval it waits for its turn. */
    static final Duration LEAVE_WAIT = Duration.ofSeconds(5);

    private final String hostId;
    /** Set when the supervisor stops: acknowledged (or failed) once the leaving is written. */
    private final AtomicReference<CompletableFuture<Void>> leaving = new AtomicReference<>();
    private final AtomicBoolean leavingSent = new AtomicBoolean();
    private final Duration interval;
    private final SupervisorService supervisor;
    private final BeatPulse pulse;

    HostHeartbeats(@ConfigProperty(name = "guestguard.host.id") String hostId,
                   @ConfigProperty(name = "guestguard.host.heartbeat-interval") Duration interval,
                   @ConfigProperty(name = "guestguard.host.live-beat-timeout", defaultValue = "10s") Duration liveBeatTimeout,
                   SupervisorService supervisor) {
        this.hostId = hostId;
        this.interval = interval;
        this.supervisor = supervisor;
        this.pulse = new BeatPulse(liveBeatTimeout, System::nanoTime);
    }

    /** Why this host does not beat any more, if it does not: for the liveness check. */
    public Optional<String> liveTrouble() {
        return pulse.trouble();
    }

    @Outgoing("host-heartbeats")
    public Multi<Message<byte[]>> beats() {
        return Multi.createFrom().ticks().every(interval).map(tick -> next())
                .select().where(Optional::isPresent).map(Optional::get);
    }

    /** A beat, or once the supervisor stops, its leaving, then nothing. */
    private Optional<Message<byte[]>> next() {
        CompletableFuture<Void> left = leaving.get();
        if (left == null) {
            return beat();
        }
        return leavingSent.compareAndSet(false, true) ? leavingRecord(left) : Optional.empty();
    }

    /**
     * Before anything else stops (the supervisor closes its node later): says this host leaves, in
     * place of its next beat, and waits until Kafka acknowledged it, so the detector reads it before
     * this host's silence counts.
     */
    void onStop(@Observes @Priority(Interceptor.Priority.APPLICATION) ShutdownEvent event) {
        CompletableFuture<Void> left = new CompletableFuture<>();
        if (!leaving.compareAndSet(null, left) || supervisor.signer().isEmpty()) {
            return; // never started: nothing beat, nothing to leave
        }
        try {
            left.get(interval.plus(LEAVE_WAIT).toMillis(), TimeUnit.MILLISECONDS);
            LOG.infof("host %s left: the policy engine counts it detached, its guests keep running", hostId);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("host %s could not say it leaves (%s): the policy engine will count it lost and fence it",
                    hostId, e instanceof ExecutionException ? e.getCause() : "no acknowledgement within " + interval.plus(LEAVE_WAIT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Optional<Message<byte[]>> leavingRecord(CompletableFuture<Void> left) {
        return supervisor.signer().map(signer -> Message.of(signer.encode(event(new HostLeaving(hostId))))
                .withAck(() -> {
                    left.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(cause -> {
                    left.completeExceptionally(cause);
                    return CompletableFuture.completedFuture(null);
                })
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(hostId).withHeaders(KafkaBinding.structured()).build()));
    }

    private <P extends Payload> CloudEvent<P> event(P data) {
        return new CloudEvent<>(UUID.randomUUID().toString(), "/host/" + hostId + "/supervisor", Instant.now(), null, null,
                hostId, null, data);
    }

    /** This host's beat now; empty while the supervisor has not read its trust yet. */
    Optional<Message<byte[]>> beat() {
        return supervisor.signer().map(signer -> {
            pulse.beat();
            return Message.of(signer.encode(event(new Heartbeat("host", hostId, supervisor.inventory()))))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(hostId).withHeaders(KafkaBinding.structured()).build());
        });
    }
}
