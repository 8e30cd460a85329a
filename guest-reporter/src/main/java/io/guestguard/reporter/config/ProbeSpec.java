package io.guestguard.reporter.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A health check from outside the application. The first runs {@code startGrace} after the
 * application started, the next {@code interval} after the previous one ended; the application has
 * failed after {@code failureThreshold} failed checks in a row.
 */
public record ProbeSpec(Target target, Duration interval, Duration timeout, int failureThreshold,
                        Duration startGrace) {

    /** What the probe checks. */
    public sealed interface Target permits Tcp, Http, Pidfile {
    }

    /** Healthy when a TCP connection to {@code host:port} opens. */
    public record Tcp(String host, int port) implements Target {
    }

    /** Healthy when a GET of {@code url} answers with {@code status}. */
    public record Http(URI url, int status) implements Target {
    }

    /**
     * Healthy when the file names a live process. That process is the one that matters (it may be a
     * daemon's grandchild), so its pid is the one reported.
     */
    public record Pidfile(Path path) implements Target {
    }
}
