package io.guestguard.host.messaging;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.host.SupervisorService;
import io.guestguard.protocol.Heartbeat;
import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Beats for this host on {@code host-heartbeats.v1}, keyed by host id, at a configured interval, each
 * with the guests running here. The policy engine's detector turns missing beats into host-lost
 * facts; other hosts' supervisors read the inventories to refuse starting a guest that still runs.
 * The broker stamps each beat on append ({@code LogAppendTime}): the detector measures silence on
 * the broker's clock, so this host's clock does not matter. Each beat is signed with the host's key
 * when trust is on; none is sent before the supervisor has read its trust at start, since a beat it
 * could not sign would be refused.
 */
@ApplicationScoped
public class HostHeartbeats {

    private final String hostId;
    private final Duration interval;
    private final SupervisorService supervisor;

    HostHeartbeats(@ConfigProperty(name = "guestguard.host.id") String hostId,
                   @ConfigProperty(name = "guestguard.host.heartbeat-interval") Duration interval,
                   SupervisorService supervisor) {
        this.hostId = hostId;
        this.interval = interval;
        this.supervisor = supervisor;
    }

    @Outgoing("host-heartbeats")
    public Multi<Message<byte[]>> beats() {
        return Multi.createFrom().ticks().every(interval).map(tick -> beat())
                .select().where(Optional::isPresent).map(Optional::get);
    }

    /** This host's beat now; empty while the supervisor has not read its trust yet. */
    Optional<Message<byte[]>> beat() {
        return supervisor.signer().map(signer -> {
            CloudEvent<Heartbeat> event = new CloudEvent<>(UUID.randomUUID().toString(), "/host/" + hostId + "/supervisor",
                    Instant.now(), null, null, hostId, null, new Heartbeat("host", hostId, supervisor.inventory()));
            return Message.of(signer.encode(event))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(hostId).build());
        });
    }
}
