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
 * A real, single-node Apache Kafka broker in KRaft mode (broker and controller in one node), running
 * in this JVM on 127.0.0.1 with free ports. {@link #start} formats the log directory, starts the
 * broker and creates GuestGuard's topics before returning, so services can start right after it.
 *
 * <p>{@link #stop()} and {@link #restart()} take the same broker away and bring it back on the same
 * ports and log, for tests of what clients do during an outage.
 *
 * <p>Transactions and consumer groups are configured for one node (replication factor 1), which is
 * what the local fleet and the tests need, and for a quick takeover of a killed engine (short
 * sessions allowed, timed-out transactions aborted within 0.25 s); a real cluster is configured by its
 * operators (docs/operations.md, "Faults and takeover").
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
    /** Warnings the broker gives on every clean start and stop of a fresh single node: noise here. */
    private static final List<java.util.logging.Logger> SILENT_LOGGERS = java.util.stream.Stream.of(
                    "org.apache.kafka.controller.ActivationRecordsGenerator", "org.apache.kafka.clients.NetworkClient")
            .map(java.util.logging.Logger::getLogger).toList();

    /** The running server; {@code null} between {@link #stop()} and {@link #restart()}. Guarded by {@code this}. */
    private KafkaRaftServer server;
    /** The configuration the broker was started with, kept so {@link #restart()} reuses its ports and log. */
    private final Properties props;
    private final String bootstrapServers;
    /** {@code host:port} of the listener for guests behind a gateway, or {@code null}. */
    private final String guestListener;
    private final Path logDir;
    private Path deleteOnClose;
    /** The SASL_SSL and mutual-TLS listeners with ACLs on, or {@code null}. */
    private BrokerSecurity security;

    private EmbeddedKafka(KafkaRaftServer server, Properties props, String bootstrapServers, String guestListener,
                          Path logDir, Path deleteOnClose) {
        this.server = server;
        this.props = props;
        this.bootstrapServers = bootstrapServers;
        this.guestListener = guestListener;
        this.logDir = logDir;
        this.deleteOnClose = deleteOnClose;
    }

    /**
     * Starts a broker in a new temporary folder, deleted on {@link #close()}: the log in
     * {@code kafka-log/}, and room beside it ({@link #workDir()}) for what lives and dies with this
     * broker, such as Kafka Streams state.
     */
    public static EmbeddedKafka startTemporary(Topics topics, int partitions) {
        try {
            Path root = Files.createTempDirectory("guestguard-kafka-");
            EmbeddedKafka kafka = start(root.resolve("kafka-log"), false, topics, partitions);
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
     * hosts' {@code GuestGateway}): it advertises {@code name:advertisedPort}, the address every guest
     * resolves to its own gateway, which relays to this listener ({@link #guestListener()}).
     */
    public record GuestListener(String name, int advertisedPort) {
    }

    /** As {@link #start(Path, boolean, Topics, int)}, with a listener for guests behind a gateway, if not {@code null}. */
    public static EmbeddedKafka start(Path logDir, boolean deleteLogDirOnClose, Topics topics, int partitions,
                                      GuestListener guests) {
        return start(logDir, deleteLogDirOnClose, topics, partitions, guests, null);
    }

    /**
     * As {@link #start(Path, boolean, Topics, int)}, with a SASL_SSL listener, a mutual-TLS listener
     * and ACLs enforced ({@link BrokerSecurity}); certificates and users' password files go to
     * {@code securityDir}. {@link #bootstrapServers()} stays the harness's plaintext super-user listener.
     */
    public static EmbeddedKafka startSecure(Path logDir, Path securityDir, Topics topics, int partitions) {
        return start(logDir, false, topics, partitions, null, BrokerSecurity.create(securityDir));
    }

    /** As {@link #startSecure(Path, Path, Topics, int)}, with a SASL_SSL listener for guests behind a gateway. */
    public static EmbeddedKafka startSecure(Path logDir, Path securityDir, Topics topics, int partitions, GuestListener guests) {
        return start(logDir, false, topics, partitions, guests, BrokerSecurity.create(securityDir, guests.name()));
    }

    private static EmbeddedKafka start(Path logDir, boolean deleteLogDirOnClose, Topics topics, int partitions,
                                       GuestListener guests, BrokerSecurity security) {
        QUIET_LOGGERS.forEach(logger -> logger.setLevel(java.util.logging.Level.WARNING));
        SILENT_LOGGERS.forEach(logger -> logger.setLevel(java.util.logging.Level.SEVERE));
        // Every fresh single-node cluster "warns" that it activates its empty metadata log; keep the
        // controller's other warnings.
        CONTROLLER_LOGGER.setFilter(record -> record.getMessage() == null
                || !record.getMessage().contains("Performing controller activation"));
        int brokerPort = freePort();
        int controllerPort = freePort();
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        String listeners = "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort;
        String advertised = "PLAINTEXT://127.0.0.1:" + brokerPort;
        String protocols = "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT";
        String guestListener = guests == null ? null : "127.0.0.1:" + freePort();
        if (guests != null) {
            listeners += "," + GUEST_LISTENER + "://" + guestListener;
            advertised += "," + GUEST_LISTENER + "://" + guests.name() + ":" + guests.advertisedPort();
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
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        props.put("num.partitions", Integer.toString(partitions));
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // The engine and the watcher take a killed instance's partitions over within 3 s: their 1.2 s
        // session timeout needs the broker to allow it (Kafka's minimum is 6 s), and a killed instance's
        // open transaction (1.2 s timeout) must be aborted soon after it times out (the check runs every 10 s).
        props.put("group.min.session.timeout.ms", "500");
        props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "250");
        props.put("auto.create.topics.enable", "false");
        props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        if (security != null) {
            security.configure(props);
        }
        try {
            Files.createDirectories(logDir);
            format(logDir, props);
            EmbeddedKafka kafka = new EmbeddedKafka(startServer(props), props, "127.0.0.1:" + brokerPort, guestListener,
                    logDir, deleteLogDirOnClose ? logDir : null);
            kafka.security = security;
            if (security != null) {
                security.started(kafka.bootstrapServers());
            }
            try {
                TopicCreator.create(kafka.bootstrapServers(), topics, partitions, (short) 1);
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

    /** {@code host:port} of the listener for guests behind a gateway; empty when started without one. */
    public java.util.Optional<String> guestListener() {
        return java.util.Optional.ofNullable(guestListener);
    }

    /** The secure listeners, when started with {@link #startSecure}. */
    public java.util.Optional<BrokerSecurity> security() {
        return java.util.Optional.ofNullable(security);
    }

    public Path logDir() {
        return logDir;
    }

    /** The folder that holds the log folder; temporary brokers delete it whole on close. */
    public Path workDir() {
        return logDir.toAbsolutePath().getParent();
    }

    /**
     * Shuts the broker down but keeps its log directory, so tests can exercise an outage: clients get
     * their connections refused until {@link #restart()} brings the same broker back. Does nothing if
     * it is already stopped.
     */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /**
     * Starts the broker again after {@link #stop()}, on the same ports and log directory, so clients
     * configured with {@link #bootstrapServers()} reconnect by themselves and every record written
     * before the stop is still there. Returns once the broker serves metadata again. Fails if another
     * process took one of its ports in the meantime.
     *
     * @throws IllegalStateException if the broker is running
     */
    public synchronized void restart() {
        if (server != null) {
            throw new IllegalStateException("the broker at " + bootstrapServers + " is running; stop() it first");
        }
        server = startServer(props);
        awaitServing();
    }

    /** Whether the broker is running, that is, started and not {@link #stop() stopped}. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public void close() {
        stop();
        if (deleteOnClose != null) {
            deleteRecursively(deleteOnClose);
        }
    }

    private static KafkaRaftServer startServer(Properties props) {
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        return server;
    }

    /** Waits until the restarted node answers metadata requests and leads every partition again. */
    private void awaitServing() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            while (true) {
                try {
                    Set<String> names = admin.listTopics().names().get(5, TimeUnit.SECONDS);
                    if (admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS).values().stream()
                            .flatMap(d -> d.partitions().stream())
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not serving yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the restarted broker at " + bootstrapServers + " did not serve within 60 s");
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the restarted broker", e);
        }
    }

    private static void format(Path logDir, Properties props) throws IOException {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
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
