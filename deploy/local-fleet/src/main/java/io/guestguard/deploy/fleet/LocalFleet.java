package io.guestguard.deploy.fleet;

import io.guestguard.host.simulated.SimulatedAdapter;
import io.guestguard.host.simulated.SimulatedHypervisor;
import io.guestguard.process.ProcessGroups;
import io.guestguard.protocol.KafkaBinding;

import io.guestguard.cli.InvalidPackageException;
import io.guestguard.cli.PackageFileLoader;
import io.guestguard.cli.acls.FleetAcls;
import io.guestguard.deploy.kafka.BrokerSecurity;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.acl.AclBinding;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GuestGuard on one machine: a real Kafka broker in this JVM, the policy engine, and the rest as
 * separate processes. Three layouts:
 * <ul>
 *   <li>{@link #start} (README command 1): two simulated hosts, {@code primary} and {@code standby},
 *       each a host supervisor process, and three guests ({@code g1}..{@code g3}) with two
 *       applications each. Their packages are applied at start (hosts [primary, standby], auto_run,
 *       wait_for_fence), so the engine starts every guest on {@code primary}, whose supervisor runs
 *       it: a guest is a process group led by its init ({@code guest-init.pl}: the guest's reaper, which
 *       starts a reporter that restarted in place again), its guest reporter and the applications it
 *       starts. A lost host is fenced by {@code fence-simulated-host.sh}, which kills that host's
 *       guests.</li>
 *   <li>{@link #startSingleReporter}: the walking skeleton, one guest reporter ({@code g1}) started
 *       directly, no hosts and no package. The restart benchmark uses it, so its figures measure the
 *       reporter and the engine, not a guest's placement.</li>
 *   <li>{@link #startEngines}: the broker and policy engine instances only; the takeover benchmark
 *       writes the facts and kills the instances.</li>
 * </ul>
 * The two-host fleet runs one policy engine and one watcher, or (with {@link Options#withInstances})
 * several of each, each keeping a hot standby of another's state, as they would in production.
 * Everything lives under one run folder: the broker's log, the engine's state, the hosts' journals,
 * the shared registry of simulated hosts, the guests' files and state, each process's log.
 * {@link #close()} stops the supervisors, then the guests (SIGTERM, so each reporter stops its
 * applications, then the fence script for whatever is left), the engine and the broker, and leaves
 * no process and no port behind.
 */
public final class LocalFleet implements AutoCloseable {

    public static final String ENGINE_APPLICATION_ID = "guestguard-policy-engine";
    public static final String WATCHER_APPLICATION_ID = "guestguard-migration-watcher";
    /** The operator's user on a secure broker. */
    public static final String OPERATOR_USER = "guestguard-operator";
    public static final List<String> HOSTS = List.of("primary", "standby");
    /** How long the engine counts a host whose supervisor stopped on purpose detached, not lost (its default). */
    public static final Duration DETACH_TIMEOUT = Duration.ofMinutes(10);
    public static final List<String> GUESTS = List.of("g1", "g2", "g3");
    /** The name guests reach Kafka by, through their host's guest network. */
    public static final String GATEWAY_NAME = "kafka.guestguard.internal";
    /** Seven JVMs share two cores here: C1 only, the serial collector and small stacks keep them light. */
    static final List<String> SUPERVISOR_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k");
    /**
     * The engine on C1 alone too: its C2 threads took the two cores from the broker and the reporters, so a
     * crash loop's restarts came later and the fleet simulator's backlog cleared more slowly with the full
     * compilers than without them (docs/benchmarks.md, "A kill right after a restart").
     */
    static final List<String> ENGINE_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final Duration GUEST_STOP_GRACE = Duration.ofSeconds(10);
    /** How long a started service may take to say where it listens. */
    private static final Duration SERVICE_START = Duration.ofSeconds(60);

    private final EmbeddedKafka kafka;
    private final Topics topics;
    private final Path runDir;
    private final List<ServiceProcess> services = new ArrayList<>();
    /** The policy engine's instances by number (1, 2, ...), as last started. */
    private final Map<Integer, ServiceProcess> engines = new LinkedHashMap<>();
    private Path engineJar;
    private Map<String, String> engineProperties = Map.of();
    /** The migration watcher's instances by number (1, 2, ...), as last started. */
    private final Map<Integer, ServiceProcess> watchers = new LinkedHashMap<>();
    private Path watcherJar;
    private final Map<String, ServiceProcess> supervisors = new LinkedHashMap<>();
    private Path supervisorJar;
    private Map<String, String> supervisorProperties = Map.of();
    private Map<String, Map<String, String>> hostProperties = Map.of();
    /** Writes operators' facts ({@link #tell}); made on first use. */
    private KafkaProducer<String, byte[]> operator;
    private final EventCodec codec = new EventCodec();
    /** The guests' own clocks, when the fleet was started with some ({@link Options#guestClocks()}). */
    private final GuestClocks clocks;
    /** Where the migration watcher serves its metrics ({@code /q/metrics}). */

    /** Every principal's key, registered before any service starts (docs/security.md). */
    private final FleetKeys keys;
    /** The console's users, when it runs. */
    private ConsoleUsers consoleUsers;

    private LocalFleet(EmbeddedKafka kafka, Topics topics, Path runDir) {
        this.kafka = kafka;
        this.topics = topics;
        this.runDir = runDir;
        this.clocks = new GuestClocks(runDir);
        deleteRecursively(runDir.resolve("keys"));
        this.keys = FleetKeys.create(runDir.resolve("keys"), kafka.bootstrapServers(), topics);
        // All registered before any service starts, so no service reads a record whose key it has not loaded.
        List.of(ENGINE, DETECTOR, WATCHER, OPERATOR, CONSOLE).forEach(keys::key);
        HOSTS.forEach(host -> keys.key(Principal.host(host)));
        GUESTS.forEach(guest -> keys.key(Principal.guest(guest)));
    }

    /** The principals the fleet's services and operator speak as. */
    static final Principal ENGINE = new Principal(Role.ENGINE, "policy-engine");
    static final Principal DETECTOR = new Principal(Role.DETECTOR, "host-detector");
    static final Principal WATCHER = new Principal(Role.WATCHER, "migration-watcher");
    static final Principal OPERATOR = new Principal(Role.OPERATOR, "local-fleet");
    /** The web console: an operator of its own, which asks on behalf of its signed-in users. */
    static final Principal CONSOLE = new Principal(Role.OPERATOR, "console");

    /** The fleet's keys: for tests and benchmarks that write as one of its principals. */
    public FleetKeys keys() {
        return keys;
    }

    /** The trust settings of a service speaking as {@code principal}: the root's public key and its own key. */
    private Map<String, String> trust(Principal principal) {
        return Map.of("guestguard.trust.root-key-file", keys.rootPublicFile().toString(),
                "guestguard.trust.key-file", keys.privateFile(principal).toString());
    }

    /**
     * Starts the two-host fleet.
     *
     * @param home the GuestGuard checkout, whose modules hold the packaged services
     * @param runDir where the broker's log, state and logs go; created if missing
     * @param app1Restarts app1's {@code service_restart} in the guests' packages: {@code none},
     *                     {@code unlimited} or a number (app2's is unlimited)
     */
    public static LocalFleet start(Path home, Path runDir, String app1Restarts) {
        return start(home, runDir, app1Restarts, Options.DEFAULT);
    }

    /**
     * What a fleet runs besides its fixed parts.
     *
     * @param watcher whether the migration watcher runs (off only to show what goes wrong without it)
     * @param hostProperties settings for a host's supervisor, by host, over the fleet's own
     * @param instances how many instances of the policy engine and of the migration watcher run (each
     *                  keeps a hot standby of another's state, and takes its partitions when it stops)
     * @param guestClocks a guest's own clock offset (a libfaketime offset such as {@code -2h}), by guest:
     *                    its reporter runs under faketime ({@link GuestClocks})
     * @param secure whether the broker takes SASL_SSL only, with ACLs on: each service, host and guest logs
     *               in as its own SCRAM user, granted what {@code guestguard acls} prints ({@link FleetAcls})
     * @param console whether the web console runs ({@code ./fleet} and the console's browser test: off
     *                elsewhere, so that no other test or benchmark shares its two cores with one more JVM;
     *                never with {@code secure}, where it would need a user of its own)
     */
    public record Options(boolean watcher, Map<String, Map<String, String>> hostProperties, int instances,
                          Map<String, String> guestClocks, boolean secure, boolean console, int brokers) {
        public static final Options DEFAULT = new Options(true, Map.of(), 1, Map.of(), false, false, 1);

        public Options {
            if (instances < 1) {
                throw new IllegalArgumentException("--engines must be 1 or more, not " + instances);
            }
            if (brokers < 1) {
                throw new IllegalArgumentException("--brokers must be 1 or more, not " + brokers);
            }
            if (brokers > 1 && secure) {
                throw new IllegalArgumentException("--secure runs one broker: leave --brokers " + brokers + " or --secure out");
            }
        }

        public Options(boolean watcher, Map<String, Map<String, String>> hostProperties) {
            this(watcher, hostProperties, 1, Map.of(), false, false, 1);
        }

        public Options(boolean watcher, Map<String, Map<String, String>> hostProperties, int instances,
                       Map<String, String> guestClocks, boolean secure, boolean console) {
            this(watcher, hostProperties, instances, guestClocks, secure, console, 1);
        }

        /**
         * A KRaft cluster of {@code count} brokers in place of the single broker (./fleet --brokers 3):
         * every topic on 3 of them with 2 in sync, so one may be halted ({@link LocalFleet#haltBroker}).
         */
        public Options withBrokers(int count) {
            return new Options(watcher, hostProperties, instances, guestClocks, secure, console, count);
        }

        public Options withoutWatcher() {
            return new Options(false, hostProperties, instances, guestClocks, secure, console, brokers);
        }

        /** Transport security and ACLs on ({@code ./fleet --secure}). */
        public Options withSecurity() {
            return new Options(watcher, hostProperties, instances, guestClocks, true, console, brokers);
        }

        public Options withHost(String host, Map<String, String> properties) {
            Map<String, Map<String, String>> all = new LinkedHashMap<>(hostProperties);
            all.put(host, properties);
            return new Options(watcher, all, instances, guestClocks, secure, console, brokers);
        }

        /** {@code count} instances of the policy engine and of the migration watcher. */
        public Options withInstances(int count) {
            return new Options(watcher, hostProperties, count, guestClocks, secure, console, brokers);
        }

        /** {@code guest}'s reporter runs on a clock {@code offset} off (e.g. {@code -2h}, {@code +0}). */
        public Options withGuestClock(String guest, String offset) {
            Map<String, String> all = new LinkedHashMap<>(guestClocks);
            all.put(guest, offset);
            return new Options(watcher, hostProperties, instances, all, secure, console, brokers);
        }

        /** The web console runs too (not on a secure fleet). */
        public Options withConsole() {
            return new Options(watcher, hostProperties, instances, guestClocks, secure, true, brokers);
        }
    }

    /** As {@link #start(Path, Path, String)}, with {@code options}. */
    public static LocalFleet start(Path home, Path runDir, String app1Restarts, Options options) {
        if (runDir.toString().matches(".*\\s.*") || home.toString().matches(".*\\s.*")) {
            // The supervisor splits its guest command on whitespace, without quoting.
            throw new IllegalArgumentException("the run folder and the checkout must have no whitespace in their paths: "
                    + runDir + ", " + home);
        }
        Path engineJar = home.resolve("policy-engine/target/quarkus-app/quarkus-run.jar");
        Path reporterJar = home.resolve("guest-reporter/target/quarkus-app/quarkus-run.jar");
        Path supervisorJar = home.resolve("host-supervisor/target/quarkus-app/quarkus-run.jar");
        Path fenceScript = runDir.resolve("fence-simulated-host.sh");
        Path guestInit = runDir.resolve("guest-init.pl");
        Path registry = runDir.resolve("registry");
        // Guests of an earlier run that was not stopped cleanly still run: power their hosts off first.
        if (Files.isRegularFile(fenceScript) && Files.isDirectory(registry)) {
            HOSTS.forEach(host -> fence(fenceScript, registry, host));
        }
        GuestClocks.check(options.guestClocks(), GUESTS);
        Path faketime = options.guestClocks().isEmpty() ? null : GuestClocks.library();
        List.of("kafka", "security", "g1-state", "hosts", "registry", "guests", "packages", "logs", "clocks")
                .forEach(dir -> deleteRecursively(runDir.resolve(dir)));
        for (int n = 1; n <= options.instances(); n++) {
            deleteRecursively(runDir.resolve(instanceName("policy-engine", n) + "-state"));
            deleteRecursively(runDir.resolve(instanceName("migration-watcher", n) + "-state"));
        }
        copyResource("/fence-simulated-host.sh", fenceScript, Map.of());
        copyResource("/guest-init.pl", guestInit, Map.of());
        List<Path> packages = new ArrayList<>();
        for (String guest : GUESTS) {
            copyResource("/fleet-guest.yaml", runDir.resolve("guests/" + guest + ".yaml"), Map.of("GUEST", guest));
            Path pkg = runDir.resolve("packages/" + guest + ".yaml");
            copyResource("/fleet-package.yaml", pkg, Map.of("GUEST", guest, "APP1_RESTARTS", app1Restarts));
            packages.add(pkg);
        }
        List<PackageSpec> specs = packages.stream().map(LocalFleet::loadPackage).toList();

        Topics topics = Topics.DEFAULT;
        // Guests reach Kafka through their host's guest network (see GuestGateway): at GATEWAY_NAME:port,
        // which the broker's guest listener advertises and each guest resolves to its own address.
        // A cluster's brokers each advertise a port of their own there, and the gateway relays each to its broker.
        List<Integer> gatewayPorts = new ArrayList<>();
        for (int n = 0; n < options.brokers(); n++) {
            gatewayPorts.add(EmbeddedKafka.freePort());
        }
        int gatewayPort = gatewayPorts.get(0);
        EmbeddedKafka.GuestListener guestListener = new EmbeddedKafka.GuestListener(GATEWAY_NAME, gatewayPorts);
        LocalFleet fleet = new LocalFleet(options.secure()
                ? EmbeddedKafka.startSecure(runDir.resolve("kafka"), runDir.resolve("security"), topics, 3, guestListener)
                : options.brokers() > 1 ? EmbeddedKafka.startCluster(runDir.resolve("kafka"), options.brokers(), topics, 3, guestListener)
                : EmbeddedKafka.start(runDir.resolve("kafka"), false, topics, 3, guestListener), topics, runDir);
        try {
            fleet.kafka.security().ifPresent(security -> {
                security.allow(fleet.acls(HOSTS, GUESTS).all());
                GUESTS.forEach(guest -> appendGuestKafkaSecurity(runDir.resolve("guests/" + guest + ".yaml"),
                        security.scramUser(FleetAcls.guestUser(guest))));
            });
            fleet.apply(specs);
            // Guests run at a lower CPU priority, as a real host's VMs do not starve its own services:
            // three reporter JVMs starting at once on two cores otherwise delay the host supervisors'
            // beats past the engine's 1 s host timeout, and a busy host is taken for a lost one.
            // The guest's init leads it: it reaps what the reporter leaves and starts a reporter that
            // restarted in place again, as a VM's init and the reporter's unit do (guest-init.pl).
            List<String> guestCommand = new ArrayList<>(List.of("perl", guestInit.toString()));
            if (faketime != null) {
                // Guests given a clock of their own run under faketime (./fleet --guest-clock).
                Path script = runDir.resolve("guest-clock.sh");
                copyResource("/guest-clock.sh", script, Map.of("LIBFAKETIME", faketime.toString()));
                guestCommand.addAll(fleet.clocks.wrapper(script));
                options.guestClocks().forEach(fleet.clocks::set);
            }
            guestCommand.addAll(List.of("nice", "-n", "10", javaExecutable()));
            guestCommand.addAll(ReporterFootprint.LEAN);
            guestCommand.addAll(List.of("-Dguestguard.reporter.config-file=" + runDir.resolve("guests") + "/{guest}.yaml",
                    "-Djdk.net.hosts.file=" + registry.resolve(".network") + "/{guest}.hosts",
                    "-Dkafka.bootstrap.servers=" + GATEWAY_NAME + ":" + gatewayPort,
                    // Three reporters on one machine: each its own free port for /q/health/ready.
                    "-Dquarkus.http.port=0", "-jar", reporterJar.toString()));
            if (!Files.isRegularFile(reporterJar)) {
                throw new IllegalStateException(reporterJar + " does not exist: build first with ./mvnw -DskipTests install");
            }
            fleet.supervisorJar = supervisorJar;
            fleet.supervisorProperties = Map.ofEntries(
                    // The packaged supervisor has libvirt alone: the simulated host is plugged in (docs/architecture.md).
                    Map.entry("guestguard.host.hypervisor", SimulatedAdapter.NAME),
                    Map.entry("guestguard.host.hypervisor-path", SimulatedAdapter.classPath()),
                    Map.entry("guestguard.host.simulated.registry", registry.toString()),
                    Map.entry("guestguard.host.simulated.guest-command", String.join(" ", guestCommand)),
                    Map.entry("guestguard.host.simulated.guest-logs", runDir.resolve("logs/guests").toString()),
                    Map.entry("guestguard.host.fence-command", "sh " + fenceScript + " " + registry),
                    Map.entry("guestguard.host.halt-grace", "10s"),
                    Map.entry("guestguard.host.simulated.gateway.upstream", String.join(",", fleet.kafka.guestListeners())),
                    Map.entry("guestguard.host.simulated.gateway.port", gatewayPorts.stream().map(String::valueOf)
                            .collect(java.util.stream.Collectors.joining(","))),
                    Map.entry("guestguard.host.simulated.gateway.name", GATEWAY_NAME));
            fleet.hostProperties = options.hostProperties();
            // The engine first: it takes longest to be ready. A supervisor without a journal reads its
            // commands from the partition's end, so it must be reading before the engine's first
            // start-guest; a Quarkus supervisor is up in seconds, the Kafka Streams engine later.
            fleet.engineJar = engineJar;
            fleet.engineProperties = fleet.kafkaProperties(FleetAcls.ENGINE_USER);
            for (int n = 1; n <= options.instances(); n++) {
                fleet.startEngine(n);
            }
            if (options.watcher()) {
                fleet.watcherJar = home.resolve("migration-watcher/target/quarkus-app/quarkus-run.jar");
                for (int n = 1; n <= options.instances(); n++) {
                    fleet.startWatcher(n);
                }
            }
            for (String host : HOSTS) {
                fleet.startSupervisor(host);
            }
            if (options.console() && !options.secure()) {
                fleet.startConsole(home.resolve("console/target/quarkus-app/quarkus-run.jar"));
            }
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    /**
     * Starts the single-reporter layout: the engine and guest {@code g1}'s reporter, started
     * directly, with the demo guest's two applications.
     *
     * @param restartLimit the engine's restart limit: {@code none}, {@code unlimited} or a number
     */
    public static LocalFleet startSingleReporter(Path home, Path runDir, String restartLimit) {
        return startSingleReporter(home, runDir, restartLimit, false);
    }

    /**
     * As {@link #startSingleReporter(Path, Path, String)}, with the migration watcher too if
     * {@code watcher}: the one reader of guest beats, for measurements under guest-beat load.
     */
    public static LocalFleet startSingleReporter(Path home, Path runDir, String restartLimit, boolean watcher) {
        return startSingleReporter(home, runDir, restartLimit, watcher, false, null);
    }

    /**
     * As {@link #startSingleReporter(Path, Path, String)}, on the broker at {@code bootstrapServers} instead
     * of one of its own ({@link EmbeddedKafka#external}): GuestGuard's topics are created there if missing,
     * and {@link #close()} leaves it running. It should be a fresh broker, set as
     * {@link EmbeddedKafka#FLEET_SETTINGS} says (a Testcontainers Kafka in the walking skeleton's container variant).
     */
    public static LocalFleet startSingleReporter(Path home, Path runDir, String restartLimit, String bootstrapServers) {
        return startSingleReporter(home, runDir, restartLimit, false, false, java.util.Objects.requireNonNull(bootstrapServers));
    }

    /**
     * As {@link #startSingleReporter(Path, Path, String, boolean)} with the watcher, on a broker with
     * transport security and ACLs on, each service as its own principal granted only what
     * {@code guestguard acls} prints for this fleet ({@link FleetAcls}): the engine and the watcher log in
     * as their SCRAM users over SASL_SSL, and g1's reporter connects over mutual TLS with a client
     * certificate ({@code CN=guest-g1}; its guest file {@code security_protocol: SSL} with a
     * {@code tls:} keystore), granted {@link #tlsGuestAcls} ({@code guestguard acls --authentication TLS}).
     * The two-host secure fleet keeps SCRAM for its supervisors and reporters. The fleet's own observers
     * ({@link #bootstrapServers()}, {@link #tell}) keep the harness's plaintext listener.
     */
    public static LocalFleet startSecureSingleReporter(Path home, Path runDir, String restartLimit) {
        return startSingleReporter(home, runDir, restartLimit, true, true, null);
    }

    /** @param external the bootstrap address of a broker running elsewhere, or {@code null} for one of the fleet's own */
    private static LocalFleet startSingleReporter(Path home, Path runDir, String restartLimit, boolean watcher, boolean secure,
                                                  String external) {
        Path engineJar = home.resolve("policy-engine/target/quarkus-app/quarkus-run.jar");
        Path reporterJar = home.resolve("guest-reporter/target/quarkus-app/quarkus-run.jar");
        Path guestFile = runDir.resolve("g1.yaml");
        // A fresh fleet each time: the previous run's broker log, engine and reporter state and logs go.
        List.of("kafka", "security", "policy-engine-state", "migration-watcher-state", "g1-state", "logs")
                .forEach(dir -> deleteRecursively(runDir.resolve(dir)));
        copyResource("/demo-guest.yaml", guestFile, Map.of());
        Topics topics = Topics.DEFAULT;
        LocalFleet fleet = new LocalFleet(external != null ? EmbeddedKafka.external(external, topics, 3)
                : secure ? EmbeddedKafka.startSecure(runDir.resolve("kafka"), runDir.resolve("security"), topics, 3)
                : EmbeddedKafka.start(runDir.resolve("kafka"), false, topics, 3), topics, runDir);
        try {
            fleet.kafka.security().ifPresent(security -> {
                List<AclBinding> acls = new ArrayList<>(fleet.acls(List.of(), List.of()).all());
                acls.addAll(fleet.tlsGuestAcls(List.of("g1")));
                security.allow(acls);
            });
            fleet.engineJar = engineJar;
            Map<String, String> engine = new LinkedHashMap<>(fleet.kafkaProperties(FleetAcls.ENGINE_USER));
            engine.put("guestguard.policy.restart-limit", restartLimit);
            fleet.engineProperties = engine;
            fleet.startEngine(1);
            if (watcher) {
                fleet.watcherJar = home.resolve("migration-watcher/target/quarkus-app/quarkus-run.jar");
                fleet.startWatcher(1);
            }
            Map<String, String> reporter = new LinkedHashMap<>(Map.of(
                    "guestguard.reporter.config-file", guestFile.toString(), "quarkus.http.port", "0"));
            String servers = fleet.kafka.bootstrapServers();
            if (secure) {
                Map<String, String> g1 = fleet.kafka.security().orElseThrow().tlsClient(FleetAcls.guestUser("g1"));
                servers = g1.get("bootstrap.servers");
                appendGuestKafkaSecurity(guestFile, g1);
            }
            reporter.put("kafka.bootstrap.servers", servers);
            // The flags a guest's reporter runs with, in the fleet's guests and the systemd unit.
            fleet.services.add(ServiceProcess.start("guest-reporter g1", reporterJar, ReporterFootprint.LEAN, reporter,
                    runDir.resolve("logs/guest-reporter-g1.log")));
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    /**
     * Starts the engines-only layout: the broker and {@code instances} policy engines, nothing else; the
     * takeover benchmark writes the facts itself.
     *
     * @param restartLimit the engines' restart limit: {@code none}, {@code unlimited} or a number
     * @param properties more engine settings, over the fleet's own
     */
    public static LocalFleet startEngines(Path home, Path runDir, int instances, String restartLimit,
                                          Map<String, String> properties) {
        List.of("kafka", "logs").forEach(dir -> deleteRecursively(runDir.resolve(dir)));
        for (int n = 1; n <= instances; n++) {
            deleteRecursively(runDir.resolve(instanceName("policy-engine", n) + "-state"));
        }
        Topics topics = Topics.DEFAULT;
        LocalFleet fleet = new LocalFleet(EmbeddedKafka.start(runDir.resolve("kafka"), false, topics, 3), topics, runDir);
        try {
            fleet.engineJar = home.resolve("policy-engine/target/quarkus-app/quarkus-run.jar");
            Map<String, String> all = new LinkedHashMap<>(Map.of("kafka.bootstrap.servers", fleet.bootstrapServers(),
                    "guestguard.policy.restart-limit", restartLimit));
            all.putAll(properties);
            fleet.engineProperties = all;
            for (int n = 1; n <= instances; n++) {
                fleet.startEngine(n);
            }
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    /**
     * Starts (or starts again, after a crash or a stop) policy engine instance {@code n}: the first is
     * {@code policy-engine}, the others {@code policy-engine-N}, each with its own state folder, log and
     * Kafka client id (the id its group member carries).
     */
    public ServiceProcess startEngine(int n) {
        ServiceProcess running = engines.get(n);
        if (running != null && running.isAlive()) {
            throw new IllegalStateException(running.name() + " runs already (pid " + running.pid() + ")");
        }
        String name = instanceName("policy-engine", n);
        Map<String, String> properties = new LinkedHashMap<>(trust(ENGINE));
        properties.put("guestguard.trust.detector-key-file", keys.privateFile(DETECTOR).toString());
        properties.put("guestguard.policy.detach-timeout", DETACH_TIMEOUT.toSeconds() + "s"); // what the timeline says
        properties.putAll(engineProperties);
        properties.put("kafka-streams.state.dir", runDir.resolve(name + "-state").toString());
        properties.put("kafka-streams.client.id", name);
        properties.put("quarkus.http.port", "0"); // its metrics: several instances on one machine
        ServiceProcess engine = ServiceProcess.start(name, engineJar, ENGINE_JVM, properties,
                runDir.resolve("logs/" + name + ".log"));
        engines.put(n, engine);
        return engine;
    }

    /** The policy engine's instances by number, as last started (a crashed one stays until started again). */
    public Map<Integer, ServiceProcess> engines() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(engines));
    }

    /** {@code service} for the first instance, {@code service-N} for the others. */
    static String instanceName(String service, int n) {
        return n == 1 ? service : service + "-" + n;
    }

    /**
     * Starts (or starts again, after a stop) migration watcher instance {@code n} ({@code
     * migration-watcher}, then {@code migration-watcher-N}), with its own state folder. Each listens on
     * a port the system gives it: a port chosen here could be taken by the time the watcher binds it,
     * and the watcher would exit.
     */
    public ServiceProcess startWatcher(int n) {
        if (watcherJar == null) {
            throw new IllegalStateException("this fleet runs no migration watcher");
        }
        ServiceProcess running = watchers.get(n);
        if (running != null && running.isAlive()) {
            throw new IllegalStateException(running.name() + " runs already (pid " + running.pid() + ")");
        }
        String name = instanceName("migration-watcher", n);
        Map<String, String> properties = new LinkedHashMap<>(trust(WATCHER));
        properties.putAll(kafkaProperties(FleetAcls.WATCHER_USER));
        properties.put("kafka-streams.state.dir", runDir.resolve(name + "-state").toString());
        properties.put("quarkus.http.port", "0");
        ServiceProcess watcher = ServiceProcess.start(name, watcherJar, SUPERVISOR_JVM, properties,
                runDir.resolve("logs/" + name + ".log"));
        watchers.put(n, watcher);
        return watcher;
    }

    /**
     * Starts migration watcher instance 1 from {@code home}'s packaged jar, in a layout started without
     * one ({@link #startEngines}): the fleet simulator's engines and watcher.
     */
    public ServiceProcess startWatcher(Path home) {
        deleteRecursively(runDir.resolve(instanceName("migration-watcher", 1) + "-state")); // a fresh fleet's watcher knows no guest
        watcherJar = home.resolve("migration-watcher/target/quarkus-app/quarkus-run.jar");
        return startWatcher(1);
    }

    /** The migration watcher's instances by number, as last started. */
    public Map<Integer, ServiceProcess> watchers() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(watchers));
    }

    /** The least-privilege ACLs of this fleet with {@code hosts} and {@code guests}, as {@code guestguard acls} prints them. */
    public FleetAcls acls(List<String> hosts, List<String> guests) {
        return new FleetAcls(topics, ENGINE_APPLICATION_ID, WATCHER_APPLICATION_ID, hosts, guests, List.of(OPERATOR_USER),
                FleetAcls.Authentication.SCRAM_SHA_512);
    }

    /**
     * The least-privilege ACLs of {@code guests}' reporters when each authenticates with its client
     * certificate over mutual TLS ({@code User:CN=guest-ID}), as {@code guestguard acls --authentication TLS}
     * prints them for those guests.
     */
    public List<AclBinding> tlsGuestAcls(List<String> guests) {
        Map<String, List<AclBinding>> byUser = new FleetAcls(topics, ENGINE_APPLICATION_ID, WATCHER_APPLICATION_ID, List.of(),
                guests, List.of(), FleetAcls.Authentication.TLS).byUser();
        return guests.stream().flatMap(guest -> byUser.get(FleetAcls.guestUser(guest)).stream()).toList();
    }

    /**
     * A service's Kafka settings as {@code kafka.*} properties: the plaintext listener, or on a secure
     * broker, {@code user}'s SCRAM login over TLS (its password in a file, never on the command line).
     */
    private Map<String, String> kafkaProperties(String user) {
        Map<String, String> settings = kafka.security().map(security -> security.scramUser(user))
                .orElse(Map.of("bootstrap.servers", bootstrapServers()));
        Map<String, String> properties = new LinkedHashMap<>();
        settings.forEach((key, value) -> properties.put("kafka." + key, value));
        return properties;
    }

    /** How many brokers the fleet's Kafka has: 1, or a cluster's ({@link Options#withBrokers}). */
    public int brokers() {
        return kafka.brokers();
    }

    /** {@code host:port} of broker {@code id} (1 to {@link #brokers()}). */
    public String broker(int id) {
        return kafka.bootstrapServers(id);
    }

    /** The broker leading each partition of {@code topic}, by partition number; -1 for none. */
    public Map<Integer, Integer> leaders(String topic) {
        return kafka.leaders(topic);
    }

    /** Halts broker {@code id} of the fleet's cluster abruptly ({@link EmbeddedKafka#halt}). */
    public void haltBroker(int id) {
        kafka.halt(id);
    }

    /** Starts halted broker {@code id} again and returns once every replica is in sync ({@link EmbeddedKafka#restart(int)}). */
    public void restartBroker(int id) {
        kafka.restart(id);
    }

    /** The secure broker's listeners and users, when the fleet was started secure. */
    public java.util.Optional<BrokerSecurity> security() {
        return kafka.security();
    }

    /**
     * Adds {@code settings} to a guest file's {@code kafka:}: a SCRAM user's ({@link BrokerSecurity#scramUser}),
     * or a mutual-TLS client's ({@link BrokerSecurity#tlsClient}), its keystore beside the truststore.
     */
    private static void appendGuestKafkaSecurity(Path guestFile, Map<String, String> settings) {
        StringBuilder block = new StringBuilder("kafka:\n  security_protocol: " + settings.get("security.protocol") + "\n");
        if (settings.containsKey("sasl.username")) {
            block.append("  sasl: {username: ").append(settings.get("sasl.username"))
                    .append(", password_file: ").append(settings.get("sasl.password.file")).append("}\n");
        }
        block.append("  tls: {truststore: ").append(settings.get("ssl.truststore.location"))
                .append(", truststore_password_file: ").append(settings.get("ssl.truststore.password.file"));
        if (settings.containsKey("ssl.keystore.location")) {
            block.append(", keystore: ").append(settings.get("ssl.keystore.location"))
                    .append(", keystore_password_file: ").append(settings.get("ssl.keystore.password.file"));
        }
        block.append("}\n");
        try {
            Files.writeString(guestFile, block.toString(), java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + guestFile, e);
        }
    }

    /** The running service called {@code name} ({@code policy-engine}, {@code migration-watcher}, ...). */
    public ServiceProcess service(String name) {
        return services().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name + " in this fleet"));
    }

    /** Starts (or starts again, after a crash or a stop) host {@code host}'s supervisor. */
    public ServiceProcess startSupervisor(String host) {
        if (supervisorJar == null) {
            throw new IllegalStateException("this fleet has no hosts (single-reporter layout)");
        }
        ServiceProcess running = supervisors.get(host);
        if (running != null && running.isAlive()) {
            throw new IllegalStateException("host " + host + "'s supervisor runs already (pid " + running.pid() + ")");
        }
        Map<String, String> properties = new LinkedHashMap<>(trust(Principal.host(host)));
        properties.putAll(supervisorProperties);
        properties.putAll(hostProperties.getOrDefault(host, Map.of()));
        properties.putAll(kafkaProperties(FleetAcls.hostUser(host)));
        properties.put("guestguard.host.id", host);
        properties.put("quarkus.http.port", "0"); // two supervisors on one machine: each a free port for its health
        // Its command journal survives a restart, so a command read before a crash is not applied twice.
        properties.put("guestguard.host.state-dir", runDir.resolve("hosts/" + host).toString());
        ServiceProcess supervisor = ServiceProcess.start("host-supervisor " + host, supervisorJar, SUPERVISOR_JVM,
                properties, runDir.resolve("logs/host-supervisor-" + host + ".log"));
        supervisors.put(host, supervisor);
        return supervisor;
    }

    /**
     * Waits until every one of {@code hosts} has beaten on {@code host-heartbeats.v1}: its supervisor
     * is up and reads its commands. (The host-loss detector's ticks there are not beats.)
     */
    public void awaitBeats(List<String> hosts, Duration timeout) {
        Set<String> beating = new HashSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (TopicReader beats = new TopicReader(bootstrapServers(), topics.hostHeartbeats())) {
            while (!beating.containsAll(hosts)) {
                for (String host : hosts) {
                    ServiceProcess supervisor = supervisor(host);
                    if (!supervisor.isAlive()) {
                        throw supervisor.exited();
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no heartbeat from host(s) " + hosts.stream().filter(h -> !beating.contains(h)).toList()
                            + " within " + timeout.toSeconds() + " s; see " + runDir.resolve("logs"));
                }
                beats.pollNew(Duration.ofMillis(200)).stream().filter(r -> hosts.contains(r.key()))
                        .filter(r -> codec.decode(r.value(), r.headers()).data() instanceof Heartbeat).forEach(r -> beating.add(r.key()));
            }
        }
    }

    /** Host {@code host}'s supervisor process, as last started. */
    public ServiceProcess supervisor(String host) {
        ServiceProcess supervisor = supervisors.get(host);
        if (supervisor == null) {
            throw new IllegalArgumentException("no host " + host + " in this fleet; hosts: " + supervisors.keySet());
        }
        return supervisor;
    }

    /**
     * Starts the web console, on a port the system gives it and on the loopback only, at a lower CPU
     * priority, as the guests: it must not delay the supervisors' beats while it starts. It signs its
     * users' requests with its own operator key; its users ({@link ConsoleUsers}) are new with each run.
     */
    private void startConsole(Path consoleJar) {
        consoleUsers = ConsoleUsers.create(runDir.resolve("console/users.properties"));
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("kafka.bootstrap.servers", bootstrapServers());
        properties.put("quarkus.http.port", "0");
        properties.put("quarkus.http.host", "127.0.0.1");
        properties.put("quarkus.config.locations", consoleUsers.file().toString());
        properties.putAll(trust(CONSOLE));
        services.add(ServiceProcess.start("console", List.of("nice", "-n", "10"), consoleJar, SUPERVISOR_JVM, properties,
                runDir.resolve("logs/console.log")));
    }

    /** The console's users and their passwords, when this fleet runs the console. */
    public ConsoleUsers consoleUsers() {
        if (consoleUsers == null) {
            throw new IllegalStateException("this fleet runs no console");
        }
        return consoleUsers;
    }

    /** Whether this fleet runs the web console. */
    public boolean runsConsole() {
        return services.stream().anyMatch(s -> s.name().equals("console"));
    }

    /** The console's address, once it logged the port it listens on. */
    public String consoleUrl() {
        return "http://127.0.0.1:" + httpPort("console") + "/";
    }

    /** The (first) migration watcher's Prometheus endpoint, on the port it logs once started. */
    public String watcherMetricsUrl() {
        return metricsUrl("migration-watcher");
    }

    /** The (first) policy engine's Prometheus endpoint, on the port it logs once started. */
    public String engineMetricsUrl() {
        return metricsUrl("policy-engine");
    }

    private String metricsUrl(String service) {
        return metricsUrl(service(service));
    }

    /** {@code process}'s Prometheus endpoint (one of several instances of a service), on the port it logs once started. */
    public String metricsUrl(ServiceProcess process) {
        return "http://127.0.0.1:" + httpPort(process) + "/q/metrics";
    }

    private int httpPort(String service) {
        return httpPort(service(service));
    }

    private int httpPort(ServiceProcess process) {
        String service = process.name();
        long deadline = System.nanoTime() + SERVICE_START.toNanos();
        try {
            while (process.httpPort().isEmpty() && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100); // polling the process's log; the deadline bounds it
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int port = process.httpPort().orElseThrow(() -> process.isAlive() ? new IllegalStateException(
                service + " did not log its HTTP port within " + SERVICE_START + "; see " + process.log())
                : process.exited());
        return port;
    }

    public Path registry() {
        return runDir.resolve("registry");
    }

    /** The process group of {@code guest}'s reporter on {@code host}, if that host runs it. */
    public Optional<Long> guestGroup(String host, String guest) {
        try {
            String[] fields = Files.readString(registry().resolve(host).resolve(guest)).trim().split(" ");
            long pgid = Long.parseLong(fields[0]);
            // A file left by a guest that ended names a group id the system may have given to
            // another process since: only the same start time proves it is still the guest.
            return ProcessGroups.startTicks(pgid) == Long.parseLong(fields[1]) ? Optional.of(pgid) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code guest}'s reporter on {@code host}, if that host runs the guest: the JVM its guest init
     * (the leader of the guest's group) runs.
     */
    public Optional<ProcessHandle> reporter(String host, String guest) {
        return guestGroup(host, guest).flatMap(ProcessHandle::of).flatMap(init -> init.children()
                .filter(child -> child.info().commandLine().orElse("").contains("quarkus-run.jar")).findFirst());
    }

    /**
     * Asks {@code guest}'s reporter on {@code host} to restart in place ({@code SIGUSR1}): it leaves its
     * applications running and exits, and the guest's init starts a new reporter, which adopts them.
     * Returns the pid of the reporter asked.
     */
    public long restartReporterInPlace(String host, String guest) {
        ProcessHandle reporter = reporter(host, guest).orElseThrow(() -> new IllegalStateException(
                "no reporter of " + guest + " runs on " + host));
        String said = run(List.of("kill", "-USR1", Long.toString(reporter.pid())));
        if (said.startsWith("exit ")) {
            throw new IllegalStateException("cannot signal " + guest + "'s reporter (pid " + reporter.pid() + "): " + said);
        }
        return reporter.pid();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public Topics topics() {
        return topics;
    }

    public Path runDir() {
        return runDir;
    }

    /** The engines, the watchers, then the hosts' supervisors (or the single reporter), in start order. */
    public List<ServiceProcess> services() {
        List<ServiceProcess> all = new ArrayList<>(engines.values());
        all.addAll(watchers.values());
        all.addAll(services);
        all.addAll(supervisors.values());
        return all;
    }

    /** Waits until every running policy engine instance has joined the consumer group and it is stable. */
    public void awaitEngineReady(Duration timeout) throws InterruptedException {
        long running = engines.values().stream().filter(ServiceProcess::isAlive).count();
        awaitReady(ENGINE_APPLICATION_ID, members -> members == running, timeout);
    }

    /** Waits until the Kafka Streams application {@code applicationId} has joined its group and owns its partitions. */
    public void awaitReady(String applicationId, Duration timeout) throws InterruptedException {
        awaitReady(applicationId, members -> members > 0, timeout);
    }

    /**
     * Waits until the group of the Kafka Streams application {@code applicationId} is stable with
     * {@code count} members: an instance started again has rejoined and the partitions are assigned.
     */
    public void awaitMembers(String applicationId, int count, Duration timeout) throws InterruptedException {
        awaitReady(applicationId, members -> members == count, timeout);
    }

    private void awaitReady(String applicationId, java.util.function.IntPredicate members, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                try {
                    var group = admin.describeConsumerGroups(List.of(applicationId)).all().get().get(applicationId);
                    if (group.groupState() == GroupState.STABLE && members.test(group.members().size())) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // not there yet
                }
                services().stream().filter(s -> !s.isAlive()).findFirst().ifPresent(s -> {
                    throw s.exited();
                });
                Thread.sleep(100); // polling an external system's state; the deadline bounds it
            }
        }
        throw new IllegalStateException(applicationId + " did not become ready within " + timeout
                + "; see " + runDir.resolve("logs"));
    }

    @Override
    public void close() {
        // Supervisors first: a supervisor still running would report its guests' end as a crash.
        // Its shutdown leaves its guests running by design (a supervisor restart is not a host reboot).
        supervisors.values().forEach(ServiceProcess::terminate);
        if (!supervisors.isEmpty()) {
            stopGuests();
        }
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        List<ServiceProcess> started = new ArrayList<>(engines.values());
        started.addAll(watchers.values());
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        synchronized (this) {
            if (operator != null) {
                operator.close(Duration.ofSeconds(5));
            }
        }
        keys.close();
        kafka.close();
    }

    /**
     * Stops every guest: SIGTERM to its group, so its reporter stops its applications and reports
     * it while the broker is up; then the fence script for each host, which kills whatever is left.
     */
    private void stopGuests() {
        List<Long> groups = new ArrayList<>();
        for (String host : HOSTS) {
            for (String guest : GUESTS) {
                guestGroup(host, guest).ifPresent(groups::add);
            }
        }
        // Not `kill -TERM -PGID`: procps' kill reads that as pid -1, every process on the machine.
        groups.forEach(pgid -> ProcessGroups.signal(pgid, "TERM"));
        long deadline = System.nanoTime() + GUEST_STOP_GRACE.toNanos();
        for (long pgid : groups) {
            ProcessHandle.of(pgid).ifPresent(leader -> {
                try {
                    leader.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    // the fence script below kills it
                }
            });
        }
        HOSTS.forEach(host -> fence(runDir.resolve("fence-simulated-host.sh"), registry(), host));
    }

    /** Runs the fence script for {@code host}: afterwards nothing of that host runs. */
    private static void fence(Path script, Path registry, String host) {
        String said = run(List.of("sh", script.toString(), registry.toString(), host));
        if (said.startsWith("exit ")) {
            throw new IllegalStateException("could not power off simulated host " + host + " (" + script + "): " + said);
        }
    }

    /** Runs a short command; its output, or "exit N: output" when it failed. */
    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int exit = process.waitFor();
            return exit == 0 ? output : "exit " + exit + ": " + output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "exit -1: interrupted";
        }
    }

    /** Writes each package's {@code package.applied} fact to the guest log, as {@code guestguard apply} does. */
    private void apply(List<PackageSpec> specs) {
        specs.forEach(spec -> tell(spec.guest(), new PackageApplied(spec)));
    }

    /** Writes {@code fact} about {@code guest} to the guest log, as an operator's tool does, and waits for it to be stored. */
    public synchronized void tell(String guest, Fact fact) {
        if (operator == null) {
            operator = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        }
        try {
            operator.send(KafkaBinding.record(topics.guestLog(), guest, keys.signer(OPERATOR).encode(CloudEvent.ofGuest(
                    UUID.randomUUID().toString(), "/operator/local-fleet", Instant.now(), guest, fact))))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing " + fact.describe() + " for " + guest);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write " + fact.describe() + " for " + guest + " to "
                    + topics.guestLog() + ": " + e, e);
        }
    }

    /**
     * Moves the clock of {@code guest}, started with one ({@link Options#withGuestClock}), to
     * {@code offset} while it runs: its reporter's next clock read sees it.
     */
    public void setGuestClock(String guest, String offset) {
        if (!Files.isRegularFile(runDir.resolve("clocks").resolve(guest))) {
            throw new IllegalStateException(guest + " runs on the host's clock; give it one at start (--guest-clock "
                    + guest + "=+0) to move it later");
        }
        clocks.set(guest, offset);
    }

    /** Makes simulated host {@code host} refuse (or accept again) guests migrated to it: a fault to inject. */
    public void refuseMigrations(String host, boolean refuse) {
        Path file = registry().resolve(host).resolve(SimulatedHypervisor.REFUSE_MIGRATIONS);
        try {
            if (refuse) {
                Files.writeString(file, "refusing migrations (fault injected by the local fleet)\n");
            } else {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write or remove " + file, e);
        }
    }

    private static PackageSpec loadPackage(Path file) {
        try {
            return new PackageFileLoader().load(file);
        } catch (InvalidPackageException e) {
            throw new IllegalArgumentException("invalid package " + file + ":\n  " + String.join("\n  ", e.problems()), e);
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }

    /** Copies a resource of this module to {@code target}, replacing each key of {@code values} by its value. */
    private static void copyResource(String resource, Path target, Map<String, String> values) {
        try (InputStream in = LocalFleet.class.getResourceAsStream(resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (var value : values.entrySet()) {
                text = text.replace(value.getKey(), value.getValue());
            }
            Files.createDirectories(target.getParent());
            Files.writeString(target, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}
