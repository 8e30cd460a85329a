package io.guestguard.protocol.kafka;

import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * GuestGuard's topics as a cluster must hold them, in one place: what {@code guestguard topics
 * create} creates on a real cluster and the embedded broker creates for tests and the local fleet,
 * and what {@code guestguard topics check} compares an existing cluster with. Creation is
 * idempotent: topics that exist are left as they are (check them). Services never create topics
 * themselves (Kafka Streams would otherwise wait forever for a missing source topic).
 */
public final class TopicPlan {

    /**
     * How long beats are kept: readers only need what is new (the detector, after an outage, what
     * came since its last commit), and a fleet's beats are the largest stream GuestGuard writes.
     */
    public static final Duration BEAT_RETENTION = Duration.ofMinutes(10);
    /** Segments roll this often, so that a retention of minutes can delete them. */
    public static final Duration BEAT_SEGMENT = Duration.ofMinutes(2);

    /**
     * Segment size of the compacted topics. The cleaner never touches a partition's active segment,
     * so whatever it holds is replayed in full by every restore: at Kafka's default of 1 GiB a
     * restore of 100,000 guests replayed every placement and state ever written (three per guest in
     * {@code bench restore}). At 1 MiB (Kafka's least) the uncleaned tail is about 3,000 placements
     * per partition, and the rest is cleaned down to one record per guest.
     */
    public static final int COMPACTED_SEGMENT_BYTES = 1 << 20;
    /** Even a quiet partition rolls its active segment this often (on its next write), so it can be cleaned. */
    public static final Duration COMPACTED_SEGMENT = Duration.ofMinutes(10);
    /**
     * Share of a compacted log that may be superseded records before the cleaner runs (Kafka's
     * default: half, which can leave two records per guest behind).
     */
    public static final String COMPACTED_DIRTY_RATIO = "0.1";

    private TopicPlan() {
    }

    /**
     * What keeps a compacted topic at about one record per key: the policy and the segment settings
     * above. The policy engine gives its state stores' changelogs the same through Kafka Streams'
     * {@code topic.} settings (its {@code application.properties}).
     */
    public static Map<String, String> compaction() {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(COMPACTED_SEGMENT_BYTES),
                TopicConfig.SEGMENT_MS_CONFIG, Long.toString(COMPACTED_SEGMENT.toMillis()),
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, COMPACTED_DIRTY_RATIO);
    }

    /**
     * The configuration topic {@code name} is created with: {@code placements.v1},
     * {@code packages.v1} and the keys topic {@linkplain #compaction() compacted} to about one record
     * per key; the guest log and the two beat topics stamped by the broker on
     * append ({@code LogAppendTime}: a record's timestamp is the broker's clock, never the writer's).
     * The guest log's timestamps are the decider's clock, which no producer may set; on the beat
     * topics the host-loss detector measures a host's silence and the migration watcher its own
     * backlog on one clock that no host or guest sets. Beats are kept for {@link #BEAT_RETENTION} only.
     */
    public static Map<String, String> configs(Topics topics, String name) {
        if (topics.compacted().contains(name)) {
            return compaction();
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

    /**
     * What {@link #check} compares besides presence, partitions and replication: the
     * {@linkplain #configs created configuration}, and {@code cleanup.policy=delete} on every topic
     * that is not compacted (a compacted guest log would lose facts).
     */
    public static Map<String, String> required(Topics topics, String name) {
        Map<String, String> required = new LinkedHashMap<>();
        required.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        required.putAll(configs(topics, name));
        return required;
    }

    /**
     * The {@code min.insync.replicas} of a topic with {@code replicationFactor} replicas: 2 from 3
     * replicas on, so an acknowledged write ({@code acks=all}) is on two brokers and one broker may die
     * without losing it or stopping writes; 1 below (a smaller cluster cannot spare a broker anyway).
     */
    public static int minInsyncReplicas(int replicationFactor) {
        return replicationFactor >= 3 ? 2 : 1;
    }

    /**
     * The configuration topic {@code name} is created with on a cluster that replicates it
     * {@code replicationFactor} times: {@link #configs}, and from 3 replicas on
     * {@link #minInsyncReplicas its min.insync.replicas}.
     */
    public static Map<String, String> configs(Topics topics, String name, short replicationFactor) {
        if (replicationFactor < 3) {
            return configs(topics, name);
        }
        Map<String, String> configs = new LinkedHashMap<>(configs(topics, name));
        configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas(replicationFactor)));
        return configs;
    }

    /** Creates every topic of {@code topics} that does not exist yet and returns the names it created. */
    public static Set<String> create(String bootstrapServers, Topics topics, int partitions, short replicationFactor) {
        try (Admin admin = admin(bootstrapServers)) {
            return create(admin, topics, partitions, replicationFactor);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create GuestGuard topics on " + bootstrapServers + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** As {@link #create(String, Topics, int, short)}, on {@code admin}; Kafka's failures as they come. */
    public static Set<String> create(Admin admin, Topics topics, int partitions, short replicationFactor)
            throws ExecutionException, InterruptedException {
        Set<String> existing = admin.listTopics().names().get();
        List<NewTopic> missing = topics.all().stream()
                .filter(name -> !existing.contains(name))
                .map(name -> new NewTopic(name, partitions, replicationFactor).configs(configs(topics, name, replicationFactor)))
                .toList();
        try {
            admin.createTopics(missing).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        return missing.stream().map(NewTopic::name).collect(Collectors.toSet());
    }

    /**
     * One way an existing topic differs from what GuestGuard needs.
     *
     * @param setting {@code presence}, {@code partitions}, {@code replication} or a topic configuration's name
     * @param found what the cluster has
     * @param fix what mends it
     */
    public record Problem(String topic, String setting, String found, String expected, String fix) {
        @Override
        public String toString() {
            return topic + ": " + setting + " is " + found + ", expected " + expected + "; " + fix;
        }
    }

    /**
     * Compares the cluster's topics with what GuestGuard needs: each one present, with
     * {@code partitions} partitions (all the same, as guests are keyed alike on each), at least
     * {@code replicationFactor} replicas, and its {@linkplain #required required configuration}.
     * Empty when the cluster is fit.
     */
    public static List<Problem> check(Admin admin, String bootstrapServers, Topics topics, int partitions,
                                      short replicationFactor, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        long ms = timeout.toMillis();
        Set<String> existing = admin.listTopics().names().get(ms, TimeUnit.MILLISECONDS);
        List<Problem> problems = new ArrayList<>();
        List<String> present = new ArrayList<>();
        for (String name : topics.all()) {
            if (existing.contains(name)) {
                present.add(name);
            } else {
                problems.add(new Problem(name, "presence", "missing", "present",
                        "create it: guestguard topics create --bootstrap-servers " + bootstrapServers
                                + " --partitions " + partitions + " --replication-factor " + replicationFactor
                                + prefixOption(topics)));
            }
        }
        if (present.isEmpty()) {
            return problems;
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(present).allTopicNames().get(ms, TimeUnit.MILLISECONDS);
        List<ConfigResource> resources = present.stream().map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(ms, TimeUnit.MILLISECONDS);
        for (String name : present) {
            TopicDescription description = descriptions.get(name);
            int count = description.partitions().size();
            if (count != partitions) {
                problems.add(new Problem(name, "partitions", Integer.toString(count), Integer.toString(partitions),
                        "every GuestGuard topic needs the same number of partitions (a guest's records go to the same "
                                + "partition number on each): if all have " + count + ", check with --partitions " + count
                                + "; otherwise recreate this one with " + partitions + " (adding partitions moves guests "
                                + "to other partitions)"));
            }
            int replicas = description.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
            if (replicas < replicationFactor) {
                problems.add(new Problem(name, "replication", Integer.toString(replicas),
                        "at least " + replicationFactor,
                        "add replicas with kafka-reassign-partitions.sh --bootstrap-server " + bootstrapServers
                                + " --execute --reassignment-json-file FILE (or check with --replication-factor "
                                + replicas + " on a smaller cluster)"));
            }
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name));
            required(topics, name).forEach((key, value) -> {
                ConfigEntry entry = config.get(key);
                String actual = entry == null ? null : entry.value();
                if (!value.equals(actual)) {
                    problems.add(new Problem(name, key, actual == null ? "unset" : actual, value,
                            "kafka-configs.sh --bootstrap-server " + bootstrapServers + " --alter --entity-type topics"
                                    + " --entity-name " + name + " --add-config " + key + "=" + value));
                }
            });
        }
        return problems;
    }

    /** An admin client of {@code bootstrapServers}. */
    public static Admin admin(String bootstrapServers) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    private static String prefixOption(Topics topics) {
        return topics.prefix().equals(Topics.DEFAULT_PREFIX) ? "" : " --topic-prefix " + topics.prefix();
    }
}
