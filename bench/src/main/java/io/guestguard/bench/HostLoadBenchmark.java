package io.guestguard.bench;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.engine.streams.DecisionTopology;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * What one fact of a {@code min_package_node} guest costs the engine's processor as the fleet grows.
 * The engine's topology runs in Kafka Streams' {@link TopologyTestDriver} (its RocksDB stores, no
 * broker: what is timed is the processor and its stores, not Kafka), with a placements view of
 * {@code fleet} guests spread over {@code hosts} hosts. Then {@code measured} guests with a
 * {@code min_package_node} package (auto_run: each started on its least loaded host, which reports it
 * started) take turns
 * with facts about their application (it fails, it is restarted: the decider restarts it), and
 * the facts are timed, round after round; the best round is reported. The same facts at every fleet
 * size: what grows with the fleet is what the processor reads of the view.
 */
final class HostLoadBenchmark {

    /**
     * @param fleets   placements in the view, one run each
     * @param hosts    hosts the fleet is spread over
     * @param measured guests whose facts are timed
     * @param facts    facts per round
     * @param rounds   rounds per fleet, the first not counted
     */
    record Options(List<Integer> fleets, int hosts, int measured, int facts, int rounds) {
    }

    /** @param fleet placements in the view; @param microsPerFact the best round's time per fact */
    record Result(int fleet, double microsPerFact, int decisions) {
    }

    private static final Instant START = Instant.parse("2026-12-06T12:00:00Z");

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final Options options;

    private HostLoadBenchmark(Options options) {
        this.options = options;
    }

    static List<Result> run(Options options, PrintStream out) {
        HostLoadBenchmark bench = new HostLoadBenchmark(options);
        List<Result> results = new ArrayList<>();
        for (int fleet : options.fleets()) {
            Result r = bench.runFleet(fleet);
            out.printf(Locale.ROOT, "fleet of %,d guests on %d hosts: %.1f µs per fact (%,d decisions per round)%n",
                    r.fleet(), options.hosts(), r.microsPerFact(), r.decisions());
            results.add(r);
        }
        return results;
    }

    private Result runFleet(int fleet) {
        Path stateDir = tempDir();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-hostload-" + fleet);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(
                DecisionTopology.build(topics, new Decider(Mixes.DEFAULT_LIMIT), codec), props)) {
            TestInputTopic<String, byte[]> placements = driver.createInputTopic(topics.placements(), new StringSerializer(),
                    new ByteArraySerializer());
            TestInputTopic<String, byte[]> guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<String, byte[]> decisions = driver.createOutputTopic(topics.decisions(), new StringDeserializer(),
                    new ByteArrayDeserializer());
            for (int i = 0; i < fleet; i++) {
                String guest = String.format(Locale.ROOT, "placed-%06d", i);
                placements.pipeInput(guest, placement(guest, host(i)), START);
            }
            long clock = START.toEpochMilli();
            for (int g = 0; g < options.measured(); g++) {
                String guest = Mixes.guestId(g);
                guestLog.pipeInput(guest, fact(guest, "package-" + guest, new PackageApplied(spec(guest, g))), Instant.ofEpochMilli(++clock));
            }
            // Each host that was told to start a guest reports it started, as its supervisor would.
            TestOutputTopic<String, byte[]> hostCommands = driver.createOutputTopic(topics.hostCommands(), new StringDeserializer(),
                    new ByteArrayDeserializer());
            for (var command : hostCommands.readRecordsToList()) {
                CloudEvent<?> start = codec.decode(command.value(), command.headers());
                if (start.data() instanceof StartGuest) {
                    String host = command.key();
                    guestLog.pipeInput(start.guestId(), codec.encode(new CloudEvent<>("started-" + start.guestId(), "/host/" + host
                            + "/supervisor", START, start.guestId(), null, host, start.epoch(), new GuestStarted(host))),
                            Instant.ofEpochMilli(++clock));
                }
            }
            drain(driver, decisions);
            double best = Double.MAX_VALUE;
            int decided = 0;
            long seq = 0;
            for (int round = 0; round < options.rounds(); round++) {
                long start = System.nanoTime();
                for (int f = 0; f < options.facts(); f++) {
                    String guest = Mixes.guestId(f % options.measured());
                    long pid = ++seq;
                    // An application fails, then runs again: each guest's budget spent slowly (a minute apart).
                    Fact fact = f / options.measured() % 2 == 0 ? AppFailed.killed("app1", pid, "KILL") : new AppStarted("app1", pid);
                    clock += 60_000 / options.measured();
                    guestLog.pipeInput(guest, fact(guest, "fact-" + round + "-" + f, fact), Instant.ofEpochMilli(clock));
                }
                long nanos = System.nanoTime() - start;
                decided = drain(driver, decisions);
                if (decided != options.facts() / 2) {
                    throw new IllegalStateException("round " + round + ": " + decided + " decisions for " + options.facts() / 2
                            + " failures: the timed facts are not the restarts this benchmark is about");
                }
                if (round > 0) {
                    best = Math.min(best, nanos / 1000.0 / options.facts());
                }
            }
            return new Result(fleet, best, decided);
        } finally {
            deleteQuietly(stateDir);
        }
    }

    private String host(int index) {
        return String.format(Locale.ROOT, "host-%04d", index % options.hosts());
    }

    private PackageSpec spec(String guest, int index) {
        List<String> hosts = List.of(host(index), host(index + 7), host(index + 13));
        return new PackageSpec(guest, hosts, PackageSpec.FailoverPolicy.MIN_PACKAGE_NODE, PackageSpec.FailbackPolicy.MANUAL,
                true, true, List.of(new PackageSpec.AppPolicy("app1", null, Mixes.FAILURE_WINDOW_MS,
                        PackageSpec.Backoff.NONE))); // unlimited: every round's failures are restarts, none a failover
    }

    private byte[] placement(String guest, String host) {
        return codec.encode(new CloudEvent<>("placement-" + guest, "/policy-engine", START, guest, null, host, 1L,
                new GuestPlacement(host, 1, PlacementPhase.RUNNING, Map.of())));
    }

    private byte[] fact(String guest, String id, Fact fact) {
        String source = fact instanceof PackageApplied ? "/operator/bench" : "/guest/" + guest + "/reporter";
        return codec.encode(CloudEvent.ofGuest(id, source, START, guest, fact));
    }

    /**
     * Decisions written since the last drain; the other outputs are dropped so memory stays flat. A
     * dead letter stops the run: a fact the engine refused would time the refusal, not the decision.
     */
    private int drain(TopologyTestDriver driver, TestOutputTopic<String, byte[]> decisions) {
        for (String topic : driver.producedTopicNames()) {
            if (!topic.equals(topics.decisions())) {
                var records = driver.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
                if (topic.equals(topics.deadLetter()) && !records.isEmpty()) {
                    var reason = records.get(0).headers().lastHeader(io.guestguard.protocol.DeadLetter.REASON);
                    throw new IllegalStateException(records.size() + " facts dead-lettered, the first because: "
                            + (reason == null ? "?" : new String(reason.value(), java.nio.charset.StandardCharsets.UTF_8)));
                }
            }
        }
        return decisions.readRecordsToList().size();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("bench-hostload-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
