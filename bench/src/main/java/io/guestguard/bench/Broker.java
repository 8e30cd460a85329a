package io.guestguard.bench;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicCreator;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * The broker a benchmark runs against: a real single-node KRaft broker started in this JVM
 * ({@link EmbeddedKafka}), or an existing cluster. Each run uses topics under a prefix of its own, so
 * runs against one cluster never read each other's records, and a work folder for Kafka Streams
 * state that is deleted on close.
 */
final class Broker implements AutoCloseable {

    private final EmbeddedKafka embedded;
    private final String bootstrapServers;
    private final int partitions;
    private final short replicationFactor;
    private final Path workDir;

    private Broker(EmbeddedKafka embedded, String bootstrapServers, int partitions, short replicationFactor, Path workDir) {
        this.embedded = embedded;
        this.bootstrapServers = bootstrapServers;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.workDir = workDir;
    }

    /**
     * Starts an embedded broker when {@code bootstrapServers} is {@code null}, and creates
     * {@code topics} (GuestGuard's topics under the run's prefix) through {@link TopicCreator}.
     */
    static Broker open(String bootstrapServers, Topics topics, int partitions, short replicationFactor) {
        return open(bootstrapServers, topics, partitions, replicationFactor, Map.of());
    }

    /** As {@link #open(String, Topics, int, short)}, the broker started here with {@code brokerSettings} over GuestGuard's. */
    static Broker open(String bootstrapServers, Topics topics, int partitions, short replicationFactor,
                       Map<String, String> brokerSettings) {
        if (bootstrapServers != null && !brokerSettings.isEmpty()) {
            throw new IllegalArgumentException("broker settings " + brokerSettings + " are for a broker started here, not for "
                    + bootstrapServers);
        }
        try {
            Path workDir = Files.createTempDirectory("guestguard-bench-");
            if (bootstrapServers == null) {
                EmbeddedKafka kafka = EmbeddedKafka.startTemporary(topics, partitions, brokerSettings);
                return new Broker(kafka, kafka.bootstrapServers(), partitions, (short) 1, workDir);
            }
            TopicCreator.create(bootstrapServers, topics, partitions, replicationFactor);
            return new Broker(null, bootstrapServers, partitions, replicationFactor, workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A topic prefix no earlier run used: {@code bench-<kind>-<time>.}. */
    static String runPrefix(String kind) {
        return String.format(Locale.ROOT, "bench-%s-%s.", kind, Long.toString(System.currentTimeMillis(), 36));
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** Where the broker is, for the report. */
    String describe() {
        return embedded != null ? "single-node KRaft broker in this JVM at " + bootstrapServers : "cluster at " + bootstrapServers;
    }

    /** Creates GuestGuard's topics under another prefix. */
    void create(Topics topics) {
        TopicCreator.create(bootstrapServers, topics, partitions, replicationFactor);
    }

    /** Creates one plain topic with the run's partitions (a passthrough's output). */
    void createTopic(String name) {
        try (Admin admin = KafkaOps.admin(bootstrapServers)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, replicationFactor))).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A folder for Kafka Streams state, deleted on close. */
    Path workDir() {
        return workDir;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
        deleteRecursively(workDir);
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
