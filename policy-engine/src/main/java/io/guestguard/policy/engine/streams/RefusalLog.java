package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.Trust;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The engine's count of records refused for their provenance, by kind, logged once a minute when it
 * changed: the engine serves no metrics endpoint, and each refusal's reason is in its dead letter.
 */
final class RefusalLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RefusalLog.class);
    static final long EVERY_SECONDS = 60;

    private final ScheduledExecutorService timer;
    private Map<Provenance.Refusal, Long> logged = Map.of();

    private RefusalLog(String service, Trust trust) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, service + "-refusal-log");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleAtFixedRate(() -> log(service, trust), EVERY_SECONDS, EVERY_SECONDS, TimeUnit.SECONDS);
    }

    /** Logs {@code trust}'s refusals from now on; nothing when signatures are off. */
    static RefusalLog start(String service, Trust trust) {
        return trust.on() ? new RefusalLog(service, trust) : null;
    }

    private void log(String service, Trust trust) {
        Map<Provenance.Refusal, Long> now = trust.refusals();
        if (!now.equals(logged)) {
            logged = now;
            LOG.warnf("%s: records refused for their provenance since start, by kind: %s (each is on dead-letter.v1 with its reason)",
                    service, now);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
