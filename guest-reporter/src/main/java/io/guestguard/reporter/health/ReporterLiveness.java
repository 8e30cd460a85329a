package io.guestguard.reporter.health;

import io.guestguard.reporter.app.Reporter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * {@code /q/health/live}: UP while the reporter's own loops run, its outbox sender and its command
 * reader; DOWN, with each reason as data, once either stopped, which a restart cures (the facts wait on
 * disk, the journal keeps the commands applied). An outbox at its limit or Kafka not acknowledging are
 * Kafka being away, which no restart cures: they make readiness DOWN instead ({@link ReporterReadiness};
 * docs/operations.md, "Health").
 */
@Liveness
@ApplicationScoped
public class ReporterLiveness implements HealthCheck {

    private final Reporter reporter;

    ReporterLiveness(Reporter reporter) {
        this.reporter = reporter;
    }

    @Override
    public HealthCheckResponse call() {
        return Troubles.response("guest-reporter", reporter.liveTroubles()).build();
    }
}
