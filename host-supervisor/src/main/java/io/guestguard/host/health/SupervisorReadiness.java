package io.guestguard.host.health;

import io.guestguard.host.SupervisorService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready}: UP while this host's supervisor carries out its commands; DOWN, with each
 * reason as data, before it started, while facts do not reach Kafka past their retries, after a
 * command failed on every attempt (until a restart applies it again), and while its fleet watch cannot
 * read or is at a bound (docs/operations.md, "Health"). With trust on, the records refused for their
 * signature or signer are counted in the details ({@code refused-unsigned: 2}); they do not make it
 * DOWN: a forged record is an attack on the supervisor, not a fault of it.
 */
@Readiness
@ApplicationScoped
public class SupervisorReadiness implements HealthCheck {

    private final SupervisorService service;

    SupervisorReadiness(SupervisorService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = Troubles.response("host-supervisor", service.troubles());
        service.refused().forEach((kind, count) -> response.withData("refused-" + kind, count));
        return response.build();
    }
}
