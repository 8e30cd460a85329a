package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * Creates GuestGuard's topics with their configurations ({@link #configs}). Idempotent: topics that
 * already exist are left as they are (the policy engine refuses to start on a guest log that is not
 * {@code LogAppendTime}). Services never create topics themselves (Kafka Streams would otherwise
 * wait forever for a missing source topic).
 */
public final class TopicCreator {

    /**
     * How long beats are kept: readers only need what is new (the detector, after an outage, what
     * came since its last commit), and a fleet's beats are the largest stream GuestGuard writes.
     */
    static final Duration BEAT_RETENTION = Duration.ofMinutes(10);
    /** Segments roll this often, so that a retention of minutes can delete them. */
    static final Duration BEAT_SEGMENT = Duration.ofMinutes(2);

    private TopicCreator() {
    }

    /**
     * The configuration topic {@code name} is created with: {@code placements.v1} and
     * {@code packages.v1} compacted; the guest log and the two beat topics stamped by the broker on
     * append ({@code LogAppendTime}: a record's timestamp is the broker's clock, never the writer's).
     * The guest log's timestamps are the decider's clock, which no producer may set; on the beat
     * topics the host-loss detector measures a host's silence and the migration watcher its own
     * backlog on one clock that no host or guest sets. Beats are kept for {@link #BEAT_RETENTION} only.
     */
    public static Map<String, String> configs(Topics topics, String name) {
        if (topics.compacted().contains(name)) {
            return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        if (name.equals(topics.guestLog())) {
            return Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
        }
        if (name.equals(topics.hostHeartbeats()) || name.equals(topics.heartbeats())) {
            return Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime",
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(BEAT_RETENTION.toMillis()),
                    TopicConfig.SEGMENT_MS_CONFIG, Long.toString(BEAT_SEGMENT.toMillis()));
        }
        return Map.of();
    }

    /** Creates every topic of {@code topics} that does not exist yet and returns the names it created. */
    public static Set<String> create(String bootstrapServers, Topics topics, int partitions, short replicationFactor) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = topics.all().stream()
                    .filter(name -> !existing.contains(name))
                    .map(name -> new NewTopic(name, partitions, replicationFactor).configs(configs(topics, name)))
                    .toList();
            try {
                admin.createTopics(missing).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            return missing.stream().map(NewTopic::name).collect(Collectors.toSet());
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create GuestGuard topics on " + bootstrapServers + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
