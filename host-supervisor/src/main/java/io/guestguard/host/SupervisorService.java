package io.guestguard.host;

import io.guestguard.host.config.HostSettings;
import io.guestguard.host.hypervisor.HypervisorException;
import io.guestguard.host.supervisor.HostNode;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;

/**
 * The host supervisor process: reads and checks its settings, then runs this host's
 * {@link HostNode}. Invalid settings stop it at start (exit 1) with every problem listed.
 */
@ApplicationScoped
public class SupervisorService {

    private static final Logger LOG = Logger.getLogger(SupervisorService.class);
    /** The engine writes a command and its placement in one transaction; both are read within this. */
    private static final Duration PLACEMENT_WAIT = Duration.ofSeconds(5);

    private final KafkaClientSettings kafka;
    private final Topics topics;
    private volatile HostNode node;

    SupervisorService(KafkaClientSettings kafka, @ConfigProperty(name = "guestguard.topic-prefix") String topicPrefix) {
        this.kafka = kafka;
        this.topics = new Topics(topicPrefix);
    }

    void onStart(@Observes StartupEvent event) {
        HostSettings settings;
        try {
            settings = HostSettings.read(name -> ConfigProvider.getConfig().getOptionalValue(name, String.class));
        } catch (IllegalArgumentException e) {
            LOG.error(e.getMessage());
            Quarkus.asyncExit(1);
            return;
        }
        HostNode started = new HostNode(settings, kafka, topics, PLACEMENT_WAIT, e -> Quarkus.asyncExit(1));
        try {
            started.start();
            node = started;
        } catch (HypervisorException | RuntimeException e) {
            LOG.errorf(e, "host supervisor %s cannot start", settings.host());
            started.close();
            Quarkus.asyncExit(1);
        }
    }

    /** The guests running here, for heartbeats; empty until the supervisor is ready. */
    public List<String> inventory() {
        HostNode n = node;
        return n == null ? List.of() : n.inventory();
    }

    /** What keeps the supervisor from doing its job, for the readiness check; empty when nothing does. */
    public List<String> troubles() {
        HostNode n = node;
        return n == null ? List.of("the host supervisor is not started (see its log)") : n.troubles();
    }

    void onStop(@Observes ShutdownEvent event) {
        HostNode n = node;
        node = null;
        if (n != null) {
            n.close();
        }
    }
}
