package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apache Kafka in KRaft mode running in this JVM on 127.0.0.1 with free ports: one node
 * (broker and controller in one), or a cluster of {@link #startCluster several}, each a broker and a
 * voter of one static controller quorum. {@link #start} formats the log directories, starts the
 * nodes and creates GuestGuard's topics before returning, so services can start right after it.
 *
 * <p>{@link #stop()} and {@link #restart()} take every node away and bring it back on the same
 * ports and logs, for tests of what clients do during an outage. On a cluster, {@link #halt(int)}
 * takes one node away without a controlled shutdown (the controller is not told: its partitions
 * keep a dead leader until the controller fences it, {@link #BROKER_SESSION} later, as when a
 * broker's machine dies) and {@link #restart(int)} brings it back on its ports and log.
 *
 * <p>One node is configured with replication factor 1; a cluster of three or more replicates every
 * topic, GuestGuard's (through {@link TopicCreator}, which asks {@code TopicPlan}), Kafka Streams'
 * internal ones and Kafka's own (offsets, transactions), on 3 nodes with {@code min.insync.replicas=2},
 * so one node may die without losing an acknowledged record or stopping writes. Both are configured
 * for a quick takeover of a killed engine (short sessions allowed, timed-out transactions aborted
 * within 0.25 s: {@link #FLEET_SETTINGS}); a real cluster is configured by its operators (docs/operations.md,
 * "Faults and takeover").
 *
 * <p>{@link #external} names a broker running elsewhere (a container's, an existing cluster's) instead:
 * GuestGuard's topics are created there in the same way, and it has no node here to stop, halt or restart.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The ports {@link #freePort} handed out: none twice. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String GUEST_LISTENER = "GUESTS";
    /**
     * The broker's loggers, turned down to warnings. Kafka logs through SLF4J; in Quarkus JVMs and in
     * the local fleet SLF4J ends in java.util.logging, so setting the JUL level quiets it before any
     * application logging configuration exists. Held strongly: JUL forgets unreferenced loggers.
     */
    private static final List<java.util.logging.Logger> QUIET_LOGGERS = java.util.stream.Stream.of(
                    "kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper")
            .map(java.util.logging.Logger::getLogger).toList();
    private static final java.util.logging.Logger CONTROLLER_LOGGER =
            java.util.logging.Logger.getLogger("org.apache.kafka.controller.QuorumController");
    /**
     * Warnings the broker gives on every clean start and stop of a fresh single node, and a cluster's
     * nodes on every request to a halted one (each fetch and transaction check, with a stack trace): noise here.
     */
    private static final List<java.util.logging.Logger> SILENT_LOGGERS = java.util.stream.Stream.of(
                    "org.apache.kafka.controller.ActivationRecordsGenerator", "org.apache.kafka.clients.NetworkClient",
                    "kafka.server.ReplicaFetcherThread", "org.apache.kafka.server.transaction.AddPartitionsToTxnManager")
            .map(java.util.logging.Logger::getLogger).toList();

    /**
     * How long a cluster's controller waits for a silent broker's heartbeat before it fences it and
     * elects other leaders for its partitions: what a broker's abrupt death costs its partitions' writers
     * (Kafka's default is 9 s; a real cluster's operators choose theirs).
     */
    public static final Duration BROKER_SESSION = Duration.ofSeconds(3);
    /** A cluster replicates every topic this many times, or on every node if it has fewer. */
    private static final int CLUSTER_REPLICAS = 3;

    /**
     * What the packaged services need of a broker beyond Kafka's defaults, set on every embedded node and
     * to be set on an {@link #external} one: the engine's and the watcher's 1.2 s session allowed (Kafka's
     * minimum is 6 s), so a killed instance's partitions move within 3 s; a killed instance's open
     * transaction (1.2 s timeout) aborted soon after it times out (the check runs every 10 s by default);
     * a transaction's first write that finds the last commit's markers still being written retried after
     * 2 ms, not Kafka's 20 (the engine commits every 10 ms, so its next write often comes that soon;
     * {@code bench txn}); a group's first members assigned at once; and no topic created by a stray
     * client's typo.
     */
    public static final Map<String, String> FLEET_SETTINGS = Map.of(
            "group.min.session.timeout.ms", "500",
            "transaction.abort.timed.out.transaction.cleanup.interval.ms", "250",
            "add.partitions.to.txn.retry.backoff.ms", "2",
            "group.initial.rebalance.delay.ms", "0",
            "auto.create.topics.enable", "false");

    /** One node of the cluster (or the only one): its configuration, kept so it restarts on its ports and log. */
    private static final class Node {
        final int id;
        final Properties props;
        final Path logDir;
        final String plaintext;
        /** The running server; {@code null} while halted or stopped. Guarded by the {@link EmbeddedKafka}. */
        KafkaRaftServer server;

        Node(int id, Properties props, Path logDir, String plaintext) {
            this.id = id;
            this.props = props;
            this.logDir = logDir;
            this.plaintext = plaintext;
        }
    }

    /** The nodes this JVM runs; none for an {@link #external} broker. */
    private final List<Node> nodes;
    private final String bootstrapServers;
    /** How many brokers serve {@link #bootstrapServers}: the nodes here, or an external cluster's. */
    private final int brokers;
    /** {@code host:port} of each node's listener for guests behind a gateway; empty without one. */
    private final List<String> guestListeners;
    private final Path logDir;
    private Path deleteOnClose;
    /** The SASL_SSL and mutual-TLS listeners with ACLs on, or {@code null}. */
    private BrokerSecurity security;

    private EmbeddedKafka(List<Node> nodes, List<String> guestListeners, Path logDir, Path deleteOnClose) {
        this(nodes, nodes.stream().map(n -> n.plaintext).collect(java.util.stream.Collectors.joining(",")), nodes.size(),
                guestListeners, logDir, deleteOnClose);
    }

    private EmbeddedKafka(List<Node> nodes, String bootstrapServers, int brokers, List<String> guestListeners, Path logDir,
                          Path deleteOnClose) {
        this.nodes = nodes;
        this.bootstrapServers = bootstrapServers;
        this.brokers = brokers;
        this.guestListeners = guestListeners;
        this.logDir = logDir;
        this.deleteOnClose = deleteOnClose;
    }

    /**
     * Starts a broker in a new temporary folder, deleted on {@link #close()}: the log in
     * {@code kafka-log/}, and room beside it ({@link #workDir()}) for what lives and dies with this
     * broker, such as Kafka Streams state.
     */
    public static EmbeddedKafka startTemporary(Topics topics, int partitions) {
        return startTemporary(topics, partitions, Map.of());
    }

    /**
     * As {@link #startTemporary(Topics, int)}, with {@code brokerSettings} over the broker's own: for a
     * benchmark that measures what one of {@link #FLEET_SETTINGS} does against Kafka's default.
     */
    public static EmbeddedKafka startTemporary(Topics topics, int partitions, Map<String, String> brokerSettings) {
        try {
            Path root = Files.createTempDirectory("guestguard-kafka-");
            EmbeddedKafka kafka = start(root.resolve("kafka-log"), false, topics, partitions, null, null, 1, brokerSettings);
            kafka.deleteOnClose = root;
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Formats {@code logDir} (if it is not yet formatted), starts the broker, and creates
     * {@code topics} with {@code partitions} partitions each.
     */
    public static EmbeddedKafka start(Path logDir, boolean deleteLogDirOnClose, Topics topics, int partitions) {
        return start(logDir, deleteLogDirOnClose, topics, partitions, null);
    }

    /**
     * A listener for guests that reach Kafka through their host's guest network (the simulated
     * hosts' {@code GuestGateway}): node {@code i} advertises {@code name:advertisedPorts[i]}, the
     * address every guest resolves to its own gateway, which relays that port to node {@code i}'s
     * listener ({@link #guestListeners()}).
     */
    public record GuestListener(String name, List<Integer> advertisedPorts) {
        public GuestListener {
            advertisedPorts = List.copyOf(advertisedPorts);
        }

        /** One node's listener. */
        public GuestListener(String name, int advertisedPort) {
            this(name, List.of(advertisedPort));
        }
    }

    /**
     * Starts a cluster of {@code brokers} nodes, each a broker and a controller of one quorum, their
     * logs in {@code root/node-N}, and creates {@code topics} replicated on 3 nodes (or every node, if
     * fewer) with {@code min.insync.replicas=2}. {@code guests}, if not {@code null}, gives one advertised
     * port per node.
     */
    public static EmbeddedKafka startCluster(Path root, int brokers, Topics topics, int partitions, GuestListener guests) {
        if (brokers < 1) {
            throw new IllegalArgumentException("a cluster needs 1 broker or more, not " + brokers);
        }
        return start(root, false, topics, partitions, guests, null, brokers, Map.of());
    }

    /**
     * The broker or cluster at {@code bootstrapServers} (a listener for plaintext clients), running elsewhere: creates there every topic of
     * {@code topics} that does not exist yet, with {@code partitions} partitions, replicated as on an embedded
     * cluster of as many brokers (3, or every broker if fewer, {@code min.insync.replicas=2} on 3), and leaves
     * it running on {@link #close()}. It has no node here: {@link #stop}, {@link #restart}, {@link #halt} and
     * {@link #logDir} refuse, saying so. Its brokers should be set as {@link #FLEET_SETTINGS} says.
     */
    public static EmbeddedKafka external(String bootstrapServers, Topics topics, int partitions) {
        int brokers;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no Kafka answers at " + bootstrapServers + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaching Kafka at " + bootstrapServers, e);
        }
        TopicCreator.create(bootstrapServers, topics, partitions, (short) Math.min(brokers, CLUSTER_REPLICAS));
        EmbeddedKafka kafka = new EmbeddedKafka(List.of(), bootstrapServers, brokers, List.of(), null, null);
        kafka.awaitServing(false, topics.all()); // their leaders known to the brokers, so services can start right after
        return kafka;
    }

    /** As {@link #start(Path, boolean, Topics, int)}, with a listener for guests behind a gateway, if not {@code null}. */
    public static EmbeddedKafka start(Path logDir, boolean deleteLogDirOnClose, Topics topics, int partitions,
                                      GuestListener guests) {
        return start(logDir, deleteLogDirOnClose, topics, partitions, guests, null, 1, Map.of());
    }

    /**
     * As {@link #start(Path, boolean, Topics, int)}, with a SASL_SSL listener, a mutual-TLS listener
     * and ACLs enforced ({@link BrokerSecurity}); certificates and users' password files go to
     * {@code securityDir}. {@link #bootstrapServers()} stays the harness's plaintext super-user listener.
     */
    public static EmbeddedKafka startSecure(Path logDir, Path securityDir, Topics topics, int partitions) {
        return start(logDir, false, topics, partitions, null, BrokerSecurity.create(securityDir), 1, Map.of());
    }

    /** As {@link #startSecure(Path, Path, Topics, int)}, with a SASL_SSL listener for guests behind a gateway. */
    public static EmbeddedKafka startSecure(Path logDir, Path securityDir, Topics topics, int partitions, GuestListener guests) {
        return start(logDir, false, topics, partitions, guests, BrokerSecurity.create(securityDir, guests.name()), 1, Map.of());
    }

    private static EmbeddedKafka start(Path logDir, boolean deleteLogDirOnClose, Topics topics, int partitions,
                                       GuestListener guests, BrokerSecurity security, int brokers,
                                       Map<String, String> brokerSettings) {
        if (security != null && brokers > 1) {
            throw new IllegalArgumentException("a secure broker runs as one node; a cluster of " + brokers
                    + " nodes has no SASL_SSL or mutual-TLS listeners (leave --secure or --brokers out)");
        }
        if (guests != null && guests.advertisedPorts().size() != brokers) {
            throw new IllegalArgumentException("the guest listener gives " + guests.advertisedPorts().size()
                    + " advertised ports for " + brokers + " nodes: give one per node");
        }
        QUIET_LOGGERS.forEach(logger -> logger.setLevel(java.util.logging.Level.WARNING));
        SILENT_LOGGERS.forEach(logger -> logger.setLevel(java.util.logging.Level.SEVERE));
        // Every fresh single-node cluster "warns" that it activates its empty metadata log; keep the
        // controller's other warnings.
        CONTROLLER_LOGGER.setFilter(record -> record.getMessage() == null
                || !record.getMessage().contains("Performing controller activation"));
        int[] brokerPorts = new int[brokers];
        int[] controllerPorts = new int[brokers];
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < brokers; i++) {
            brokerPorts[i] = freePort();
            controllerPorts[i] = freePort();
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(controllerPorts[i]);
        }
        short replicas = (short) Math.min(brokers, CLUSTER_REPLICAS);
        List<Node> nodes = new java.util.ArrayList<>();
        List<String> guestListeners = new java.util.ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            int id = i + 1;
            // One node keeps the log folder it was given; a cluster's nodes each have their own in it.
            Path nodeDir = brokers == 1 ? logDir : logDir.resolve("node-" + id);
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", Integer.toString(id));
            props.put("controller.quorum.voters", voters.toString());
            String listeners = "PLAINTEXT://127.0.0.1:" + brokerPorts[i] + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPorts[i];
            String advertised = "PLAINTEXT://127.0.0.1:" + brokerPorts[i];
            String protocols = "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT";
            if (guests != null) {
                String guestListener = "127.0.0.1:" + freePort();
                guestListeners.add(guestListener);
                listeners += "," + GUEST_LISTENER + "://" + guestListener;
                advertised += "," + GUEST_LISTENER + "://" + guests.name() + ":" + guests.advertisedPorts().get(i);
                protocols += "," + GUEST_LISTENER + (security == null ? ":PLAINTEXT" : ":SASL_SSL");
                if (security != null) {
                    security.scram(props, GUEST_LISTENER);
                }
            }
            props.put("listeners", listeners);
            props.put("advertised.listeners", advertised);
            props.put("controller.listener.names", CONTROLLER_LISTENER);
            props.put("listener.security.protocol.map", protocols);
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("log.dirs", nodeDir.toAbsolutePath().toString());
            props.put("num.partitions", Integer.toString(partitions));
            String minInsync = Integer.toString(io.guestguard.protocol.kafka.TopicPlan.minInsyncReplicas(replicas));
            // Kafka's own topics and Kafka Streams' internal ones (replication.factor -1: the broker's
            // default) replicated as GuestGuard's are.
            props.put("default.replication.factor", Short.toString(replicas));
            props.put("min.insync.replicas", minInsync);
            props.put("offsets.topic.replication.factor", Short.toString(replicas));
            props.put("offsets.topic.num.partitions", "5");
            props.put("transaction.state.log.replication.factor", Short.toString(replicas));
            props.put("transaction.state.log.min.isr", minInsync);
            props.put("transaction.state.log.num.partitions", "5");
            props.put("share.coordinator.state.topic.replication.factor", Short.toString(replicas));
            props.put("share.coordinator.state.topic.min.isr", minInsync);
            props.putAll(FLEET_SETTINGS);
            props.putAll(brokerSettings);
            props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
            if (brokers > 1) {
                // halt(n) is a death, not a shutdown: the controller is not asked to move leaders first,
                // it finds the node silent after the session and fences it.
                props.put("controlled.shutdown.enable", "false");
                props.put("broker.session.timeout.ms", Long.toString(BROKER_SESSION.toMillis()));
                props.put("broker.heartbeat.interval.ms", Long.toString(BROKER_SESSION.toMillis() / 6));
            }
            if (security != null) {
                security.configure(props);
            }
            nodes.add(new Node(id, props, nodeDir, "127.0.0.1:" + brokerPorts[i]));
        }
        try {
            String clusterId = Uuid.randomUuid().toString();
            for (Node node : nodes) {
                Files.createDirectories(node.logDir);
                format(node, clusterId);
            }
            EmbeddedKafka kafka = new EmbeddedKafka(nodes, guestListeners, logDir, deleteLogDirOnClose ? logDir : null);
            kafka.security = security;
            try {
                kafka.startNodes(nodes);
                if (security != null) {
                    security.started(kafka.bootstrapServers());
                }
                TopicCreator.create(kafka.bootstrapServers(), topics, partitions, replicas);
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code host:port} of the (first) node's listener for guests behind a gateway; empty when started without one. */
    public java.util.Optional<String> guestListener() {
        return guestListeners.stream().findFirst();
    }

    /** {@code host:port} of each node's listener for guests behind a gateway, node 1 first; empty without one. */
    public List<String> guestListeners() {
        return guestListeners;
    }

    /** How many nodes the cluster has (1 for a single broker); an {@link #external} cluster's brokers. */
    public int brokers() {
        return brokers;
    }

    /** {@code host:port} of node {@code id}'s plaintext listener. */
    public String bootstrapServers(int id) {
        return node(id).plaintext;
    }

    /** The secure listeners, when started with {@link #startSecure}. */
    public java.util.Optional<BrokerSecurity> security() {
        return java.util.Optional.ofNullable(security);
    }

    public Path logDir() {
        embedded("has no log folder here");
        return logDir;
    }

    /** The folder that holds the log folder; temporary brokers delete it whole on close. */
    public Path workDir() {
        return logDir().toAbsolutePath().getParent();
    }

    /** Whether this broker runs elsewhere ({@link #external}), not in this JVM. */
    public boolean isExternal() {
        return nodes.isEmpty();
    }

    /**
     * Shuts every node down but keeps the log directories, so tests can exercise an outage: clients get
     * their connections refused until {@link #restart()} brings the same broker back. Does nothing if
     * it is already stopped.
     *
     * @throws IllegalStateException if the broker is {@link #external}
     */
    public synchronized void stop() {
        embedded("is not stopped from here");
        List<Node> running = nodes.stream().filter(n -> n.server != null).toList();
        // All at once: a cluster's last nodes would otherwise wait for a quorum that is gone.
        running.parallelStream().forEach(n -> n.server.shutdown());
        running.forEach(n -> {
            n.server.awaitShutdown();
            n.server = null;
        });
    }

    /**
     * Starts every node again after {@link #stop()}, on the same ports and log directories, so clients
     * configured with {@link #bootstrapServers()} reconnect by themselves and every record written
     * before the stop is still there. Returns once the cluster serves metadata again with a leader for
     * every partition. Fails if another process took one of its ports in the meantime.
     *
     * @throws IllegalStateException if a node is running, or the broker is {@link #external}
     */
    public synchronized void restart() {
        embedded("is not restarted from here");
        if (nodes.stream().anyMatch(n -> n.server != null)) {
            throw new IllegalStateException("the broker at " + bootstrapServers + " is running; stop() it first");
        }
        startNodes(nodes);
        awaitServing(false, List.of());
    }

    /**
     * Halts node {@code id} of a cluster abruptly: no controlled shutdown, so its partitions keep it
     * as their leader until the controller fences it ({@link #BROKER_SESSION}) and elects leaders
     * among the in-sync replicas left; its clients' connections are refused at once. Its log stays.
     *
     * @throws IllegalStateException if the node is not running, or it is the only one, or the broker is {@link #external}
     */
    public synchronized void halt(int id) {
        embedded("is not halted from here");
        if (nodes.size() < 2) {
            throw new IllegalStateException("halt(" + id + ") needs a cluster; a single broker is stop()ped");
        }
        Node node = node(id);
        if (node.server == null) {
            throw new IllegalStateException("node " + id + " (" + node.plaintext + ") is not running");
        }
        node.server.shutdown();
        node.server.awaitShutdown();
        node.server = null;
    }

    /**
     * Starts halted node {@code id} again on its ports and log, and returns once it is back in sync:
     * every partition has every replica in its in-sync set again, so halting another node loses nothing.
     *
     * @throws IllegalStateException if the node runs
     */
    public synchronized void restart(int id) {
        Node node = node(id);
        if (node.server != null) {
            throw new IllegalStateException("node " + id + " (" + node.plaintext + ") is running; halt(" + id + ") it first");
        }
        startNodes(List.of(node));
        awaitServing(true, List.of());
    }

    /** Whether node {@code id} runs. */
    public synchronized boolean isRunning(int id) {
        return node(id).server != null;
    }

    /** The node that leads each partition of {@code topic}, by partition number; -1 for none. */
    public Map<Integer, Integer> leaders(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<Integer, Integer> leaders = new java.util.TreeMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> leaders.put(p.partition(), p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id()));
            return leaders;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot describe " + topic + " on " + bootstrapServers + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        }
    }

    /**
     * Whether the broker is running: every node started and none {@link #stop() stopped} or {@link #halt halted};
     * always, for an {@link #external} broker, which is not watched from here.
     */
    public synchronized boolean isRunning() {
        return nodes.stream().allMatch(n -> n.server != null);
    }

    /** Stops the nodes this JVM runs and deletes a temporary broker's folder; leaves an {@link #external} broker running. */
    @Override
    public void close() {
        if (!isExternal()) {
            stop();
        }
        if (deleteOnClose != null) {
            deleteRecursively(deleteOnClose);
        }
    }

    private Node node(int id) {
        embedded("has no node " + id + " here to address, halt or restart");
        if (id < 1 || id > nodes.size()) {
            throw new IllegalArgumentException("no node " + id + ": the nodes are 1 to " + nodes.size());
        }
        return nodes.get(id - 1);
    }

    /** Refuses what only a broker of this JVM can do, on an {@link #external} one. */
    private void embedded(String refusal) {
        if (isExternal()) {
            throw new IllegalStateException("the external broker at " + bootstrapServers + " " + refusal
                    + ": it runs elsewhere, not in this JVM");
        }
    }

    /**
     * Starts {@code which} together: a cluster's node waits in its startup for a controller quorum,
     * which only the others can give it.
     */
    private void startNodes(List<Node> which) {
        List<Thread> threads = new java.util.ArrayList<>();
        Map<Node, RuntimeException> failures = new ConcurrentHashMap<>();
        for (Node node : which) {
            Thread thread = new Thread(() -> {
                try {
                    node.server = startServer(node.props);
                } catch (RuntimeException e) {
                    failures.put(node, e);
                }
            }, "embedded-kafka-start-" + node.id);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting Kafka", e);
            }
        }
        if (!failures.isEmpty()) {
            Map.Entry<Node, RuntimeException> first = failures.entrySet().iterator().next();
            throw new IllegalStateException("Kafka node " + first.getKey().id + " (" + first.getKey().plaintext
                    + ") did not start: " + first.getValue().getMessage(), first.getValue());
        }
    }

    private static KafkaRaftServer startServer(Properties props) {
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        return server;
    }

    /**
     * Waits until the cluster answers metadata requests with a leader for every partition, of every topic it
     * lists and of {@code topics} (just created, maybe not listed yet), and if {@code inSync}, every replica of
     * every partition in its in-sync set.
     */
    private void awaitServing(boolean inSync, java.util.Collection<String> topics) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            while (true) {
                try {
                    Set<String> names = new java.util.HashSet<>(topics);
                    names.addAll(admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                            .names().get(5, TimeUnit.SECONDS));
                    if (admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS).values().stream()
                            .flatMap(d -> d.partitions().stream())
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty()
                                    && (!inSync || p.isr().size() == p.replicas().size()))) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not serving yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker at " + bootstrapServers + " did not serve every partition"
                            + (inSync ? " with every replica in sync" : "") + " within 60 s");
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker at " + bootstrapServers, e);
        }
    }

    private static void format(Node node, String clusterId) throws IOException {
        Path logDir = node.logDir;
        Properties props = node.props;
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setNodeId(node.id)
                .setClusterId(clusterId)
                .setDirectories(List.of(logDir.toAbsolutePath().toString()))
                .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
                .setControllerListenerName(props.getProperty("controller.listener.names"))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka log directory " + logDir + ": " + out, e);
        }
    }

    /**
     * A port free on 127.0.0.1 now, for a listener to be started soon, and never one this JVM handed
     * out before: the system may give a port just closed again, and two listeners of one broker asked
     * for one after the other would then get the same (seen in CI).
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on 127.0.0.1", e);
            }
        }
        throw new IllegalStateException("no free port on 127.0.0.1 that this JVM has not handed out already");
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Leaving a temp folder behind is harmless; failing shutdown over it is not.
        }
    }
}
