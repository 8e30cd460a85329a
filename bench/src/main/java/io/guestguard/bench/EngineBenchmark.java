package io.guestguard.bench;

import io.guestguard.bench.Mixes.Mix;
import io.guestguard.policy.engine.streams.DecisionTopology;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The engine's throughput on a real broker against what Kafka alone allows on the same broker in the
 * same run. The mix ({@link Mixes#randomMix}) is loaded into a fresh {@code guest-log.v1}; then,
 * one after the other, each reading all of it:
 * <ol>
 *   <li>a transactional passthrough ({@link Passthrough}): the engine's exactly-once cost in Kafka
 *       alone, the yardstick;</li>
 *   <li>a plain (at-least-once) passthrough;</li>
 *   <li>a Kafka Streams passthrough: a source-to-sink topology with the engine's settings, which
 *       is what Kafka Streams itself costs over the raw loop;</li>
 *   <li>the engine's topology in a {@code KafkaStreams} instance with the engine's settings and a new
 *       application id, until its consumption, and so its output, is committed.</li>
 * </ol>
 * Each is timed from its first records polled to its last commit, so group joins and task set-up do
 * not count. A warm-up round of all three over a small mix under another prefix comes first, so that
 * none of them pays for the JIT. CPU time by thread says where the engine's time goes.
 */
final class EngineBenchmark {

    /**
     * @param guests            guests in the mix
     * @param facts             facts in the mix
     * @param partitions        partitions of every topic
     * @param warmupFacts       facts of the warm-up round (0: none)
     * @param bootstrapServers  an existing cluster, or {@code null} for a broker in this JVM
     * @param replicationFactor of the run's topics on an existing cluster
     * @param timeout           longest wait for one pipeline
     * @param seed              the mix's seed
     * @param engineOverrides   Kafka Streams settings to use instead of the engine's, to see what each costs
     */
    record Options(int guests, int facts, int partitions, int warmupFacts, String bootstrapServers,
                   short replicationFactor, Duration timeout, long seed, Map<String, String> engineOverrides) {
        Options {
            engineOverrides = Map.copyOf(engineOverrides);
        }
    }

    /**
     * One pipeline's figures.
     *
     * @param records processed
     * @param seconds from its first records to its last commit
     * @param cpu     CPU seconds by thread kind meanwhile
     * @param split   where its thread's time went
     */
    record Pipeline(long records, double seconds, Map<String, Double> cpu, String split) {
        double perSecond() {
            return records / seconds;
        }
    }

    /**
     * @param mix                what was processed
     * @param transactional      the transactional passthrough
     * @param plain              the plain passthrough
     * @param streams            the Kafka Streams passthrough
     * @param engine             the engine's topology
     * @param engineStartSeconds from the engine's start to its first records
     * @param decisions          decisions committed by the engine
     * @param commands           guest and host commands committed by the engine
     * @param deadLetters        records the engine dead-lettered
     * @param written            records the engine committed in all: decisions, commands, placements and
     *                           state changelog
     */
    /** @param expected what the pure core decides on the mix at the engine's clock (the facts' append times) */
    record Result(Mix mix, Mixes.Replay expected, Pipeline transactional, Pipeline plain, Pipeline streams, Pipeline engine,
                  double engineStartSeconds, long decisions, long commands, long deadLetters, long written) {
        double ratio() {
            return engine.perSecond() / transactional.perSecond();
        }
    }

    private final Options options;
    private final Broker broker;
    private final EventCodec codec = new EventCodec();
    private final long pollMs;
    private final long commitIntervalMs;
    private double lastStartSeconds;

    private EngineBenchmark(Options options, Broker broker) {
        this.options = options;
        this.broker = broker;
        Map<String, String> engine = EngineSettings.kafkaStreams();
        pollMs = Long.parseLong(engine.getOrDefault(StreamsConfig.POLL_MS_CONFIG, "100"));
        commitIntervalMs = Long.parseLong(engine.getOrDefault(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100"));
    }

    static Result run(Options options, PrintStream out) {
        String prefix = Broker.runPrefix("engine");
        Topics topics = new Topics(prefix);
        Topics warmupTopics = new Topics(prefix + "warmup.");
        try (Broker broker = Broker.open(options.bootstrapServers(), topics, options.partitions(), options.replicationFactor())) {
            out.printf(Locale.ROOT, "broker: %s; topics %s* with %d partitions%n", broker.describe(), prefix, options.partitions());
            out.println("engine settings (policy-engine's application.properties): " + EngineSettings.describe());
            if (!options.engineOverrides().isEmpty()) {
                out.println("engine settings overridden for this run: " + new java.util.TreeMap<>(options.engineOverrides()));
            }
            EngineBenchmark bench = new EngineBenchmark(options, broker);
            if (options.warmupFacts() > 0) {
                int warmupGuests = Math.max(100, (int) ((long) options.guests() * options.warmupFacts() / options.facts()));
                broker.create(warmupTopics);
                bench.round(warmupTopics, Mixes.randomMix(warmupGuests, options.warmupFacts(), options.seed() + 1), out);
                out.printf(Locale.ROOT, "warm-up: %,d facts through each pipeline, not counted%n", options.warmupFacts());
            }
            long built = System.nanoTime();
            Mix mix = Mixes.randomMix(options.guests(), options.facts(), options.seed());
            out.printf(Locale.ROOT, "mix (built in %.1f s): %s%n", (System.nanoTime() - built) / 1e9, mix.summary());
            Result result = bench.round(topics, mix, out);
            out.println(line("transactional passthrough", result.transactional()));
            out.println(line("plain passthrough", result.plain()));
            out.println(line("Kafka Streams passthrough", result.streams()));
            out.println(line("engine", result.engine()));
            out.printf(Locale.ROOT, "  engine committed %,d decisions and %,d commands (the pure core decides %,d and %,d at the "
                            + "engine's clock, the facts' append times), %,d dead letters; first records %.2f s after start%n",
                    result.decisions(), result.commands(), result.expected().decisions(), result.expected().commands(),
                    result.deadLetters(), result.engineStartSeconds());
            out.printf(Locale.ROOT, "  the engine wrote %,d records with placements and its state changelog: %.2f per fact, "
                    + "where a passthrough writes 1%n", result.written(), (double) result.written() / mix.facts().size());
            out.println("  transactional passthrough's loop: " + result.transactional().split());
            out.println("  Kafka Streams passthrough's stream thread: " + result.streams().split());
            out.println("  engine's stream thread: " + result.engine().split());
            out.println("  CPU during the transactional passthrough: " + cpu(result.transactional()));
            out.println("  CPU during the engine: " + cpu(result.engine()));
            if (result.decisions() != result.expected().decisions() || result.commands() != result.expected().commands()
                    || result.deadLetters() != 0) {
                throw new IllegalStateException("the engine's committed output differs from what the pure core decided");
            }
            return result;
        }
    }

    private static String cpu(Pipeline p) {
        return ThreadCpu.describe(p.cpu(), seconds -> seconds * 1e6 / p.records());
    }

    private static String line(String name, Pipeline p) {
        return String.format(Locale.ROOT, "%-26s %,10.0f facts/s (%,d records in %.2f s)", name, p.perSecond(), p.records(),
                p.seconds());
    }

    /** Loads {@code mix} under {@code topics} and runs the three pipelines over it. */
    private Result round(Topics topics, Mix mix, PrintStream out) {
        long loading = System.nanoTime();
        Map<String, Long> appendTimes = new java.util.concurrent.ConcurrentHashMap<>();
        Map<TopicPartition, Long> ends = KafkaOps.produce(broker.bootstrapServers(), topics.guestLog(), mix.facts(), codec, appendTimes);
        out.printf(Locale.ROOT, "  loaded %,d facts into %s in %.1f s%n", KafkaOps.sum(ends), topics.guestLog(),
                (System.nanoTime() - loading) / 1e9);
        Pipeline transactional = passthrough(topics, ends, true);
        Pipeline plain = passthrough(topics, ends, false);
        String streamsId = topics.prefix() + "streams-passthrough";
        broker.createTopic(streamsId + ".out");
        Topology copy = new Topology();
        copy.addSource("in", new StringDeserializer(), new ByteArrayDeserializer(), topics.guestLog());
        copy.addSink("out", streamsId + ".out", new StringSerializer(), new ByteArraySerializer(), "in");
        Pipeline streams = streams(topics, copy, streamsId, ends);
        if (KafkaOps.countCommitted(broker.bootstrapServers(), streamsId + ".out") != streams.records()) {
            throw new IllegalStateException("the Kafka Streams passthrough did not commit every record");
        }
        String applicationId = topics.prefix() + "policy-engine";
        Pipeline engine = streams(topics, null, applicationId, ends);
        double startSeconds = lastStartSeconds;
        String bootstrap = broker.bootstrapServers();
        long decisions = KafkaOps.countCommitted(bootstrap, topics.decisions());
        long commands = KafkaOps.countCommitted(bootstrap, topics.guestCommands()) + KafkaOps.countCommitted(bootstrap, topics.hostCommands());
        long written = decisions + commands + KafkaOps.countCommitted(bootstrap, topics.placements())
                + KafkaOps.countCommitted(bootstrap, applicationId + "-" + DecisionTopology.STATE_STORE + "-changelog");
        return new Result(mix, Mixes.replay(mix.facts(), appendTimes), transactional, plain, streams, engine, startSeconds,
                decisions, commands,
                KafkaOps.countCommitted(bootstrap, topics.deadLetter()), written);
    }

    /** Runs the engine's topology over {@code topics} ({@code topology} null), or another one, to the input's end. */
    private Pipeline streams(Topics topics, Topology topology, String applicationId, Map<TopicPartition, Long> ends) {
        Path stateDir = broker.workDir().resolve(applicationId);
        try (Admin admin = KafkaOps.admin(broker.bootstrapServers());
             EngineInstance instance = topology == null
                     ? new EngineInstance(broker.bootstrapServers(), topics, applicationId, stateDir, options.engineOverrides())
                     : new EngineInstance(broker.bootstrapServers(), topology, applicationId, stateDir, options.engineOverrides())) {
            ThreadCpu cpu = ThreadCpu.start();
            long start = instance.start();
            long done = instance.awaitCommitted(admin, ends, options.timeout());
            Map<String, Double> used = cpu.secondsByKind();
            long first = instance.firstRecordsNanos().orElseThrow(() -> new IllegalStateException(applicationId + " got no records"));
            lastStartSeconds = (first - start) / 1e9;
            return new Pipeline(KafkaOps.sum(ends), (done - first) / 1e9, used, instance.timeSplit().describe());
        }
    }

    private Pipeline passthrough(Topics topics, Map<TopicPartition, Long> ends, boolean transactional) {
        String id = topics.prefix() + (transactional ? "passthrough-tx" : "passthrough-plain");
        String output = id + ".out";
        broker.createTopic(output);
        ThreadCpu cpu = ThreadCpu.start();
        Passthrough.Run run = Passthrough.copy(broker.bootstrapServers(), topics.guestLog(), output, ends, transactional, id,
                pollMs, commitIntervalMs, options.timeout());
        Map<String, Double> used = cpu.secondsByKind();
        long copied = KafkaOps.countCommitted(broker.bootstrapServers(), output);
        if (copied != run.records()) {
            throw new IllegalStateException(id + " committed " + copied + " records of " + run.records());
        }
        return new Pipeline(run.records(), run.seconds(), used, run.split());
    }
}
