package io.guestguard.host;

import io.guestguard.agent.AgentTrust;
import io.guestguard.host.config.HostSettings;
import io.guestguard.host.hypervisor.HypervisorException;
import io.guestguard.host.supervisor.HostNode;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host supervisor process: reads and checks its settings, then its trust (with
 * {@value #ROOT_KEY_FILE} set: its key files, and the key ring loaded from the keys topic), then runs
 * this host's {@link HostNode}. Invalid settings or key files stop it at start (exit 1), each problem
 * named with its fix.
 */
@ApplicationScoped
public class SupervisorService {

    private static final Logger LOG = Logger.getLogger(SupervisorService.class);
    /** The engine writes a command and its placement in one transaction; both are read within this. */
    private static final Duration PLACEMENT_WAIT = Duration.ofSeconds(5);
    /** The operator root's public key file; unset: trust off. */
    static final String ROOT_KEY_FILE = "guestguard.trust.root-key-file";
    /** This host's private key file (role host, named as the host). */
    static final String KEY_FILE = "guestguard.trust.key-file";

    private final KafkaClientSettings kafka;
    private final Topics topics;
    private volatile HostNode node;
    private volatile Signer signer;

    SupervisorService(KafkaClientSettings kafka, @ConfigProperty(name = "guestguard.topic-prefix") String topicPrefix) {
        this.kafka = kafka;
        this.topics = new Topics(topicPrefix);
    }

    void onStart(@Observes StartupEvent event) throws InterruptedException {
        HostSettings settings;
        AgentTrust trust;
        try {
            settings = HostSettings.read(SupervisorService::setting);
            trust = AgentTrust.start(new AgentTrust.KeyFiles(ROOT_KEY_FILE, setting(ROOT_KEY_FILE).map(Path::of),
                    KEY_FILE, setting(KEY_FILE).map(Path::of)), Principal.host(settings.host()),
                    kafka.properties(), topics, new EventCodec());
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.error(e.getMessage());
            Quarkus.asyncExit(1);
            return;
        }
        signer = trust.signer();
        HostNode started = new HostNode(settings, kafka, topics, trust, PLACEMENT_WAIT, e -> Quarkus.asyncExit(1));
        try {
            started.start();
            node = started;
        } catch (HypervisorException | RuntimeException e) {
            LOG.errorf(e, "host supervisor %s cannot start", settings.host());
            started.close();
            Quarkus.asyncExit(1);
        }
    }

    private static Optional<String> setting(String name) {
        return ConfigProvider.getConfig().getOptionalValue(name, String.class);
    }

    /** How this host signs its beats; empty until its trust is read at start. */
    public Optional<Signer> signer() {
        return Optional.ofNullable(signer);
    }

    /** The records refused for their signature or signer so far, by kind: for the readiness details. */
    public Map<String, Long> refused() {
        HostNode n = node;
        return n == null ? Map.of() : n.refused();
    }

    /** What became of the commands addressed to this host, once the supervisor started. */
    public Optional<io.guestguard.host.supervisor.CommandOutcomes> outcomes() {
        HostNode n = node;
        return n == null || n.supervisor() == null ? Optional.empty() : Optional.of(n.supervisor().outcomes());
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

    /** What a restart would cure, for the liveness check; empty when nothing (or before the start). */
    public List<String> liveTroubles() {
        HostNode n = node;
        return n == null ? List.of() : n.liveTroubles();
    }

    void onStop(@Observes ShutdownEvent event) {
        HostNode n = node;
        node = null;
        if (n != null) {
            n.close();
        }
    }
}
