package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * Creates GuestGuard's topics, the compacted ones compacted, the guest log with the broker's append
 * time as its records' timestamps. Idempotent: topics that already exist are left as they are (the
 * policy engine refuses to start on a guest log that is not {@code LogAppendTime}). Services never create topics themselves (Kafka Streams would otherwise wait
 * forever for a missing source topic).
 */
public final class TopicCreator {

    private TopicCreator() {
    }

    /**
     * The settings topic {@code name} is created with: compacted topics compacted; the guest log
     * stamped by the broker ({@code message.timestamp.type=LogAppendTime}), since its record timestamps
     * are the decider's clock, which no producer may set.
     */
    static Map<String, String> configs(Topics topics, String name) {
        Map<String, String> configs = new java.util.HashMap<>();
        if (topics.compacted().contains(name)) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        if (name.equals(topics.guestLog())) {
            configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
        }
        return configs;
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
