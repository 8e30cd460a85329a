package io.guestguard.reporter.config;

import io.guestguard.protocol.kafka.KafkaClientSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one guest's reporter needs, as read from its one YAML file.
 *
 * @param guest the guest id: the Kafka key of everything this reporter sends and the address of the
 *              commands it obeys
 * @param bootstrapServers the Kafka cluster, when the file names it; a {@code kafka.bootstrap.servers}
 *                         setting overrides it
 * @param kafkaSecurity the file's Kafka security settings, under Kafka's client property names
 *                      ({@code security.protocol}, {@code sasl.username}, ...; paths made absolute),
 *                      checked already but for the bootstrap servers
 * @param stateDir where the outbox, the journal and the applications' pid records live (absolute)
 * @param heartbeatInterval how often the guest beats on {@code heartbeats.v1}
 * @param stopGrace the default time an exec application gets between SIGTERM and SIGKILL
 * @param outbox how the durable outbox keeps facts while Kafka is unreachable
 * @param applications the applications to start and supervise, in start order, with unique names
 * @param trust the operator root's public key file and the guest's private key file (absolute), if
 *              given; trust is off without the root's
 */
public record GuestSpec(String guest, Optional<String> bootstrapServers, Map<String, String> kafkaSecurity, Path stateDir,
                        Duration heartbeatInterval, Duration stopGrace, Outbox outbox, List<AppSpec> applications, Trust trust) {

    public GuestSpec {
        kafkaSecurity = Map.copyOf(kafkaSecurity);
        applications = List.copyOf(applications);
    }

    /** A guest file without {@code trust}: nothing signed or checked. */
    public GuestSpec(String guest, Optional<String> bootstrapServers, Map<String, String> kafkaSecurity, Path stateDir,
                     Duration heartbeatInterval, Duration stopGrace, Outbox outbox, List<AppSpec> applications) {
        this(guest, bootstrapServers, kafkaSecurity, stateDir, heartbeatInterval, stopGrace, outbox, applications, Trust.OFF);
    }

    /**
     * @param rootKeyFile the operator root's public key file; empty: trust off
     * @param keyFile the guest's private key file, required with the root's
     */
    public record Trust(Optional<Path> rootKeyFile, Optional<Path> keyFile) {
        public static final Trust OFF = new Trust(Optional.empty(), Optional.empty());
    }

    /**
     * How this reporter reaches Kafka: the file's settings, with {@code override}'s bootstrap servers
     * (the service's {@code kafka.bootstrap.servers}) if given.
     *
     * @throws InvalidConfigException if neither names the cluster
     */
    public KafkaClientSettings kafka(Path file, Optional<String> override) {
        String servers = override.or(this::bootstrapServers).orElseThrow(() -> new InvalidConfigException(List.of(
                file + ": kafka.bootstrap_servers: missing; name the Kafka cluster as HOST:PORT[,HOST:PORT...], "
                        + "or set kafka.bootstrap.servers (KAFKA_BOOTSTRAP_SERVERS)")));
        Map<String, String> settings = new HashMap<>(kafkaSecurity);
        settings.put("bootstrap.servers", servers);
        try {
            return KafkaClientSettings.read(settings, file.toString(), GuestKafkaFields::field);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage().lines().toList());
        }
    }

    /**
     * @param maxFacts how many unsent facts the outbox holds before it drops the oldest
     * @param fsync whether each fact is forced to disk before it counts as kept
     */
    public record Outbox(int maxFacts, boolean fsync) {
    }
}
