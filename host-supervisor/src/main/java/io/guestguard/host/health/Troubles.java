package io.guestguard.host.health;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import java.util.List;

/** How this service's checks answer: UP with no troubles, else DOWN with each as {@code trouble-N}. */
final class Troubles {

    private Troubles() {
    }

    static HealthCheckResponseBuilder response(String name, List<String> troubles) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(name).status(troubles.isEmpty());
        for (int i = 0; i < troubles.size(); i++) {
            response.withData("trouble-" + (i + 1), troubles.get(i));
        }
        return response;
    }
}
