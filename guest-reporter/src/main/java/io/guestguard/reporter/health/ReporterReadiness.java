package io.guestguard.reporter.health;

import io.guestguard.reporter.app.Reporter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready}: UP while the reporter's facts reach Kafka; DOWN, with each reason as data,
 * before it started, while its outbox sender has failed past its limit (it keeps trying; the facts
 * wait on disk), while facts have waited {@code guestguard.reporter.ready-ack-timeout} with no
 * acknowledgement from Kafka, while its outbox is at its limit, and after a dead letter was given up
 * until Kafka takes a write again (docs/operations.md, "Health"). These are Kafka being away, which a
 * restart does not cure; what a restart cures is {@link ReporterLiveness}'s. With trust on, the commands refused for their signature or signer
 * are counted in the details ({@code refused-unsigned: 2}); they do not make it DOWN: a forged
 * command is an attack on the reporter, not a fault of it.
 */
@Readiness
@ApplicationScoped
public class ReporterReadiness implements HealthCheck {

    private final Reporter reporter;

    ReporterReadiness(Reporter reporter) {
        this.reporter = reporter;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = Troubles.response("guest-reporter", reporter.troubles());
        reporter.refused().forEach((kind, count) -> response.withData("refused-" + kind, count));
        return response.build();
    }
}
