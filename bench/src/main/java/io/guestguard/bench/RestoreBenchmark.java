package io.guestguard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.guestguard.bench.Mixes.Mix;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.engine.streams.DecisionTopology;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * How long a restarted engine takes to have every guest's state back when its local state is gone
 * (a new machine, a lost disk): the engine's topology decides a fleet's facts
 * ({@link Mixes#onboardAndFailOnce}: package applied, guest started, one failure per guest) and
 * stops; its state folder is deleted; a new instance with the same application id starts, restores
 * the store from its changelog (and the global placements view from {@code placements.v1}), and is
 * timed from {@code start()} until it is RUNNING and sampled guests, one on every partition at
 * least, answer interactive queries, which Kafka Streams serves only from restored, running tasks.
 * Then it checks what it restored: each sampled guest's state equals the pure core's, and one more
 * failure per sampled guest is decided from the restored budget exactly as the pure core decides it
 * (restart 2 of 3, not 1).
 */
final class RestoreBenchmark {

    /**
     * @param guests            guests in the fleet
     * @param apps              applications per guest
     * @param partitions        partitions of every topic
     * @param samples           guests checked after the restore (at least one per partition)
     * @param bootstrapServers  an existing cluster, or {@code null} for a broker in this JVM
     * @param replicationFactor of the run's topics on an existing cluster
     * @param timeout           longest wait for each phase
     * @param seed              the fleet's seed
     * @param cleanerQuiet      before the restore, wait until the log cleaner left the changelog and
     *                          {@code placements.v1} unchanged this long (zero: no wait)
     * @param engineSettings    Kafka Streams settings instead of the engine's for the restarted instance
     */
    record Options(int guests, int apps, int partitions, int samples, String bootstrapServers, short replicationFactor,
                   Duration timeout, long seed, Duration cleanerQuiet, Map<String, String> engineSettings) {
    }

    /**
     * @param guests             guests restored
     * @param facts              facts decided before the restart
     * @param decideSeconds      the first instance's time from its first records to all committed
     * @param restoreSeconds     from the new instance's start to RUNNING with the sampled guests queryable
     * @param runningSeconds     from start to RUNNING
     * @param store              the guest-state store's restore
     * @param globalView         the placements view's restore
     * @param changelogBytes     bytes of the store's changelog topic
     * @param placementsBytes    bytes of {@code placements.v1}
     * @param verified           sampled guests whose state and next decision matched the pure core's
     * @param membershipSeconds  from the first instance's close until its group membership expired
     */
    record Result(int guests, int facts, double decideSeconds, double restoreSeconds, double runningSeconds,
                  EngineInstance.Restored store, EngineInstance.Restored globalView, long changelogBytes,
                  long placementsBytes, int verified, double membershipSeconds) {
    }

    private final Options options;
    private final EventCodec codec = new EventCodec();
    private final ObjectMapper mapper = codec.mapper();

    private RestoreBenchmark(Options options) {
        this.options = options;
    }

    static Result run(Options options, PrintStream out) {
        return new RestoreBenchmark(options).run(out);
    }

    private Result run(PrintStream out) {
        String prefix = Broker.runPrefix("restore");
        Topics topics = new Topics(prefix);
        String applicationId = prefix + "policy-engine";
        String changelog = applicationId + "-" + DecisionTopology.STATE_STORE + "-changelog";
        Mix mix = Mixes.onboardAndFailOnce(options.guests(), options.apps(), options.seed());
        out.println("fleet: " + mix.summary());
        try (Broker broker = Broker.open(options.bootstrapServers(), topics, options.partitions(), options.replicationFactor());
             Admin admin = KafkaOps.admin(broker.bootstrapServers())) {
            out.printf(Locale.ROOT, "broker: %s; topics %s* with %d partitions%n", broker.describe(), prefix, options.partitions());
            String bootstrap = broker.bootstrapServers();
            Path stateDir = broker.workDir().resolve("engine-state");

            long loading = System.nanoTime();
            Map<String, Long> decisionTimes = new java.util.concurrent.ConcurrentHashMap<>();
            Map<TopicPartition, Long> ends = KafkaOps.produce(bootstrap, topics.guestLog(), mix.facts(), codec, decisionTimes);
            out.printf(Locale.ROOT, "  loaded %,d facts in %.1f s%n", KafkaOps.sum(ends), (System.nanoTime() - loading) / 1e9);
            double decideSeconds;
            try (EngineInstance first = new EngineInstance(bootstrap, topics, applicationId, stateDir, Map.of())) {
                first.start();
                long done = first.awaitCommitted(admin, ends, options.timeout());
                decideSeconds = (done - first.firstRecordsNanos().orElseThrow()) / 1e9;
            }
            long stopped = System.nanoTime();
            out.printf(Locale.ROOT, "  the engine decided them in %.1f s (%,.0f facts/s) and was stopped%n", decideSeconds,
                    mix.facts().size() / decideSeconds);
            // Kafka Streams does not leave its group on close (only static members can be made to): the
            // new instance's first rebalance would wait for the old member's session to expire, which
            // depends on when it starts. Start it once the group is empty, and report that wait apart.
            await("the stopped engine's group membership expired").atMost(options.timeout())
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .until(() -> admin.describeConsumerGroups(List.of(applicationId)).all().get().get(applicationId)
                            .members().isEmpty());
            double membershipSeconds = (System.nanoTime() - stopped) / 1e9;
            out.printf(Locale.ROOT, "  its group membership expired %.1f s after it stopped (the engine's consumer.session.timeout.ms: "
                    + "a restarted engine waits that long before it can begin to restore)%n", membershipSeconds);
            if (!options.cleanerQuiet().isZero()) {
                long cleaning = System.nanoTime();
                KafkaOps.awaitUnchanged(admin, List.of(changelog, topics.placements()), options.cleanerQuiet(), options.timeout());
                out.printf(Locale.ROOT, "  the log cleaner left the changelog and placements unchanged for %d s, %.1f s after the stop%n",
                        options.cleanerQuiet().toSeconds(), (System.nanoTime() - cleaning) / 1e9);
            }
            long changelogBytes = KafkaOps.topicBytes(admin, changelog);
            long placementsBytes = KafkaOps.topicBytes(admin, topics.placements());

            Broker.deleteRecursively(stateDir);
            out.println("  state folder " + stateDir + " deleted; a new instance with the same application id starts");
            List<String> samples = samples();
            Result result;
            try (EngineInstance second = new EngineInstance(bootstrap, topics, applicationId, stateDir, options.engineSettings())) {
                long start = second.start();
                Map<String, byte[]> restored = new HashMap<>();
                await("sampled guests queryable after the restore").atMost(options.timeout())
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                        .until(() -> {
                            for (String guest : samples) {
                                if (!restored.containsKey(guest)) {
                                    second.queryState(guest).ifPresent(bytes -> restored.put(guest, bytes));
                                }
                            }
                            return second.runningNanos() != 0 && restored.size() == samples.size();
                        });
                long ready = System.nanoTime();
                EngineInstance.Restored store = second.restored().get(DecisionTopology.STATE_STORE);
                EngineInstance.Restored view = second.restored().get(DecisionTopology.PLACEMENTS_VIEW);
                if (store == null) {
                    throw new IllegalStateException("the new instance restored nothing: was the state folder really gone?");
                }
                out.printf(Locale.ROOT, "  RUNNING %.2f s after start; %s%n", (second.runningNanos() - start) / 1e9,
                        describe("guest-state", store, start, changelog, changelogBytes));
                if (view != null) {
                    out.printf(Locale.ROOT, "  %s%n", describe("placements-view (global)", view, start, topics.placements(),
                            placementsBytes));
                }
                Map<String, GuestState> expected = replayed(mix, samples, decisionTimes);
                verifyStates(expected, restored);
                int verified = verifyNextDecisions(expected, samples, broker, topics, admin, second);
                out.printf(Locale.ROOT, "  %d sampled guests (every partition): restored state equals the pure core's, and one more "
                        + "failure each was decided from it as the pure core decides it%n", verified);
                result = new Result(mix.states().size(), mix.facts().size(), decideSeconds, (ready - start) / 1e9,
                        (second.runningNanos() - start) / 1e9, store, view, changelogBytes, placementsBytes, verified,
                        membershipSeconds);
            }
            return result;
        }
    }

    private String describe(String name, EngineInstance.Restored r, long start, String topic, long bytes) {
        int guests = options.guests();
        return String.format(Locale.ROOT, "%s restored %,d records (%.2f per guest) over %d partitions from %.2f s to %.2f s "
                        + "after start (%s: %.1f MiB, %,.0f bytes per record)", name, r.records(), (double) r.records() / guests,
                r.partitions(), (r.startNanos() - start) / 1e9, (r.endNanos() - start) / 1e9, topic, bytes / 1048576.0,
                r.records() == 0 ? 0.0 : (double) bytes / r.records());
    }

    /** Guests to check: the first guest of every partition, then others spread over the fleet. */
    private List<String> samples() {
        Set<String> chosen = new LinkedHashSet<>();
        Set<Integer> covered = new java.util.HashSet<>();
        for (int i = 0; i < options.guests() && covered.size() < options.partitions(); i++) {
            String guest = Mixes.guestId(i);
            int partition = BuiltInPartitioner.partitionForKey(guest.getBytes(StandardCharsets.UTF_8), options.partitions());
            if (covered.add(partition)) {
                chosen.add(guest);
            }
        }
        int wanted = Math.min(options.guests(), Math.max(options.samples(), chosen.size()));
        for (int s = 0; chosen.size() < wanted && s < options.guests(); s++) {
            chosen.add(Mixes.guestId((int) ((long) s * options.guests() / Math.max(1, options.samples()) % options.guests())));
        }
        return new ArrayList<>(chosen);
    }

    /**
     * The sampled guests' states as the pure core makes them from their facts with the decision times
     * the engine had: each record's timestamp on the guest log (its broker append time), as a replay
     * reads them.
     */
    private static Map<String, GuestState> replayed(Mix mix, List<String> samples, Map<String, Long> decisionTimes) {
        Map<String, GuestState> all = Mixes.replay(mix.facts(), decisionTimes).states();
        Map<String, GuestState> states = new HashMap<>();
        samples.forEach(guest -> states.put(guest, all.getOrDefault(guest, GuestState.EMPTY)));
        return states;
    }


    private void verifyStates(Map<String, GuestState> expected, Map<String, byte[]> restored) {
        restored.forEach((guest, bytes) -> {
            try {
                GuestState state = mapper.readValue(bytes, GuestState.class);
                if (!java.util.Arrays.equals(mapper.writeValueAsBytes(state), mapper.writeValueAsBytes(expected.get(guest)))) {
                    throw new IllegalStateException("restored state of " + guest + " differs from the pure core's: "
                            + new String(bytes, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Sends one more failure of app1 per sampled guest and checks that the restored engine decides
     * each exactly as the pure core does from the guest's state (the second restart, budget kept).
     */
    private int verifyNextDecisions(Map<String, GuestState> states, List<String> samples, Broker broker, Topics topics,
                                    Admin admin, EngineInstance engine) {
        Decider decider = new Decider(Mixes.DEFAULT_LIMIT);
        List<CloudEvent<Fact>> next = new ArrayList<>();
        for (String guest : samples) {
            next.add(CloudEvent.ofGuest("after-restore-" + guest, "/guest/" + guest + "/reporter",
                    Instant.ofEpochMilli(states.get(guest).clockMs() + 1000), guest, AppFailed.killed("app1", 999_999, "KILL")));
        }
        Map<TopicPartition, Long> decisionsBefore = KafkaOps.endOffsets(broker.bootstrapServers(), topics.decisions());
        Map<String, Long> decisionTimes = new java.util.concurrent.ConcurrentHashMap<>();
        Map<TopicPartition, Long> ends = KafkaOps.produce(broker.bootstrapServers(), topics.guestLog(), next, codec,
                decisionTimes);
        Map<String, Decision> expected = new HashMap<>();
        for (CloudEvent<Fact> failure : next) {
            Instant at = Instant.ofEpochMilli(decisionTimes.get(failure.id()));
            expected.put(failure.id(), decider.decide(states.get(failure.guestId()), failure, at).decisions().get(0).data());
        }
        engine.awaitCommitted(admin, ends, options.timeout());
        Map<String, Decision> actual = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(decisionsBefore.keySet());
            decisionsBefore.forEach(consumer::seek);
            await("the restored engine's decisions on the sampled guests").atMost(options.timeout())
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                            Decision decision = (Decision) codec.decode(record.value(), record.headers()).data();
                            decision.causeIds().stream().filter(expected::containsKey).forEach(id -> actual.put(id, decision));
                        }
                        return actual.size() == expected.size();
                    });
        }
        expected.forEach((id, decision) -> {
            if (!Optional.ofNullable(actual.get(id)).map(decision::equals).orElse(false)) {
                throw new IllegalStateException("after the restore, " + id + " was decided as " + actual.get(id)
                        + " but the pure core decides " + decision);
            }
        });
        return expected.size();
    }
}
