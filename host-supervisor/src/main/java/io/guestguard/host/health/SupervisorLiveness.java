package io.guestguard.host.health;

import io.guestguard.host.SupervisorService;
import io.guestguard.host.messaging.HostHeartbeats;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code /q/health/live}: UP while this host's supervisor beats (its beat stream made a beat within
 * {@code guestguard.host.live-beat-timeout}) and its command reader runs; DOWN, with each reason as data,
 * otherwise. Only what a restart cures: Kafka being away makes readiness DOWN, never this, since a
 * service manager restarts a supervisor that is not live (docs/operations.md, "Health").
 */
@Liveness
@ApplicationScoped
public class SupervisorLiveness implements HealthCheck {

    private final SupervisorService service;
    private final HostHeartbeats beats;

    SupervisorLiveness(SupervisorService service, HostHeartbeats beats) {
        this.service = service;
        this.beats = beats;
    }

    @Override
    public HealthCheckResponse call() {
        List<String> troubles = new ArrayList<>(service.liveTroubles());
        beats.liveTrouble().ifPresent(troubles::add);
        return Troubles.response("host-supervisor", troubles).build();
    }
}
