package io.guestguard.bench;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.engine.streams.DecisionTopology;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;

/**
 * The policy engine's topology ({@link DecisionTopology}, the real processor) in a plain
 * {@link KafkaStreams} instance with the engine's settings: the engine minus Quarkus. Records when it
 * first ran and what it restored, and stops waiting as soon as a stream thread dies.
 */
final class EngineInstance implements AutoCloseable {

    /**
     * What one store restored.
     *
     * @param records    records restored, over its partitions
     * @param partitions partitions whose restore ended
     * @param startNanos when the first partition began restoring
     * @param endNanos   when the last partition ended restoring
     */
    record Restored(long records, int partitions, long startNanos, long endNanos) {
    }

    /**
     * Where the stream thread's time went, from Kafka Streams' and its producer's own metrics.
     *
     * @param commits           commits of the stream thread
     * @param flushSeconds      blocked in the producer's flush (waiting for the writes to be acknowledged)
     * @param sendOffsetsSeconds blocked in {@code sendOffsetsToTransaction}
     * @param commitTxnSeconds  blocked in {@code commitTransaction}
     */
    record TimeSplit(double commits, double flushSeconds, double sendOffsetsSeconds, double commitTxnSeconds) {
        String describe() {
            double blocked = flushSeconds + sendOffsetsSeconds + commitTxnSeconds;
            return String.format(Locale.ROOT, "%.0f commits; blocked in the producer %.1f s (flush %.1f s, send offsets %.1f s, "
                            + "commit %.1f s: %.1f ms per commit)", commits, blocked, flushSeconds, sendOffsetsSeconds,
                    commitTxnSeconds, commits == 0 ? 0 : blocked * 1000 / commits);
        }
    }

    private final KafkaStreams streams;
    private final String applicationId;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Map<String, Restored> restored = new ConcurrentHashMap<>();
    private volatile long runningNanos;
    private long startNanos;

    EngineInstance(String bootstrapServers, Topics topics, String applicationId, Path stateDir, Map<String, String> overrides) {
        this(bootstrapServers, DecisionTopology.build(topics, new Decider(Mixes.DEFAULT_LIMIT), new EventCodec()),
                applicationId, stateDir, overrides);
    }

    /** Another topology with the engine's settings (the Kafka Streams passthrough). */
    EngineInstance(String bootstrapServers, Topology topology, String applicationId, Path stateDir, Map<String, String> overrides) {
        this.applicationId = applicationId;
        streams = new KafkaStreams(topology, EngineSettings.streams(bootstrapServers, applicationId, stateDir, overrides));
        streams.setUncaughtExceptionHandler(e -> {
            failure.compareAndSet(null, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((next, previous) -> {
            if (next == KafkaStreams.State.RUNNING && runningNanos == 0) {
                runningNanos = System.nanoTime();
            }
        });
        streams.setGlobalStateRestoreListener(new RestoreRecorder());
    }

    String applicationId() {
        return applicationId;
    }

    /** Starts the instance and returns {@link System#nanoTime()} just before. */
    long start() {
        startNanos = System.nanoTime();
        streams.start();
        return startNanos;
    }

    /** When the instance first reached RUNNING, or 0. */
    long runningNanos() {
        return runningNanos;
    }

    /** When the topology first got records (its main consumer's first non-empty poll). */
    Optional<Long> firstRecordsNanos() {
        return FirstPollInterceptor.firstRecords(applicationId);
    }

    Map<String, Restored> restored() {
        return Map.copyOf(restored);
    }

    /**
     * Waits until the instance has committed its consumption up to {@code ends} (and so, with
     * exactly-once, every output of those records), and returns {@link System#nanoTime()} then.
     */
    long awaitCommitted(Admin admin, Map<TopicPartition, Long> ends, Duration timeout) {
        await("engine " + applicationId + " committed up to the input's end").atMost(timeout)
                // Each check is a request to the broker the engine shares the machine with: not too often.
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(25))
                .until(() -> healthy() && KafkaOps.committedUpTo(admin, applicationId, ends));
        return System.nanoTime();
    }

    /** The guest's state bytes by interactive query, or empty while the store is not queryable (restoring). */
    Optional<byte[]> queryState(String guestId) {
        healthy();
        try {
            ReadOnlyKeyValueStore<String, byte[]> store = streams.store(StoreQueryParameters.fromNameAndType(
                    DecisionTopology.STATE_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
            return Optional.ofNullable(store.get(guestId));
        } catch (InvalidStateStoreException e) {
            return Optional.empty(); // migrating or restoring: not yet
        }
    }

    /** The stream thread's time split; read before {@link #close()}. */
    TimeSplit timeSplit() {
        return new TimeSplit(metric("stream-thread-metrics", "commit-total"),
                metric("producer-metrics", "flush-time-ns-total") / 1e9,
                metric("producer-metrics", "txn-send-offsets-time-ns-total") / 1e9,
                metric("producer-metrics", "txn-commit-time-ns-total") / 1e9);
    }

    /** Sum of a metric over the instance's clients and threads (there is one stream thread). */
    private double metric(String group, String name) {
        return streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals(group) && e.getKey().name().equals(name))
                .map(e -> e.getValue().metricValue())
                .filter(v -> v instanceof Number n && !Double.isNaN(n.doubleValue()))
                .mapToDouble(v -> ((Number) v).doubleValue()).sum();
    }

    /** Fails at once, with the cause, if a stream thread died. */
    boolean healthy() {
        Throwable cause = failure.get();
        if (cause != null) {
            throw new IllegalStateException("engine " + applicationId + " failed: " + cause, cause);
        }
        return true;
    }

    /** Leaves the group on close, as a restarted engine's new instance must not wait out the old one's session. */
    @Override
    public void close() {
        streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(60)));
    }

    private final class RestoreRecorder implements StateRestoreListener {
        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
            long now = System.nanoTime();
            restored.merge(store, new Restored(0, 0, now, now),
                    (a, b) -> new Restored(a.records(), a.partitions(), Math.min(a.startNanos(), now), a.endNanos()));
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
            long now = System.nanoTime();
            restored.merge(store, new Restored(totalRestored, 1, now, now),
                    (a, b) -> new Restored(a.records() + totalRestored, a.partitions() + 1, a.startNanos(), now));
        }
    }
}
