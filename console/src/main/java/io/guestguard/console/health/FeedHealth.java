package io.guestguard.console.health;

import io.guestguard.console.FleetFeed;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The console's health, from its one reader of the topics: live while the reader's thread runs (a
 * dead one never comes back: restart the console), ready once it has read the topics to their ends
 * (before that the pages show part of the fleet) and while it reads (not retrying after an error).
 */
public class FeedHealth {

    @Liveness
    @ApplicationScoped
    public static class Alive implements HealthCheck {
        private final FleetFeed feed;

        public Alive(FleetFeed feed) {
            this.feed = feed;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("fleet-feed-reader").status(feed.alive()).build();
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final FleetFeed feed;

        public Ready(FleetFeed feed) {
            this.feed = feed;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("fleet-feed").status(feed.ready())
                    .withData("readToTheEnd", feed.caughtUp()).withData("reading", feed.reading()).build();
        }
    }
}
