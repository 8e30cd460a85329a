package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.GroupState;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * GuestGuard on one machine: a real Kafka broker in this JVM, then the policy engine and one guest
 * reporter (with the demo guest's two applications) as separate processes. Everything lives under
 * one run folder: the broker's log, the engine's state, each service's log file. {@link #close()}
 * stops the services first (so the reporter can stop its applications and report it), then the
 * broker, and leaves no process and no port behind.
 */
public final class LocalFleet implements AutoCloseable {

    public static final String ENGINE_APPLICATION_ID = "guestguard-policy-engine";

    private final EmbeddedKafka kafka;
    private final Topics topics;
    private final Path runDir;
    private final List<ServiceProcess> services = new ArrayList<>();

    private LocalFleet(EmbeddedKafka kafka, Topics topics, Path runDir) {
        this.kafka = kafka;
        this.topics = topics;
        this.runDir = runDir;
    }

    /**
     * Starts the fleet.
     *
     * @param home the GuestGuard checkout, whose modules hold the packaged services
     * @param runDir where the broker's log, state and service logs go; created if missing
     * @param restartLimit the engine's restart limit: {@code none}, {@code unlimited} or a number
     */
    public static LocalFleet start(Path home, Path runDir, String restartLimit) {
        Path engineJar = home.resolve("policy-engine/target/quarkus-app/quarkus-run.jar");
        Path reporterJar = home.resolve("guest-reporter/target/quarkus-app/quarkus-run.jar");
        Path guestFile = runDir.resolve("g1.yaml");
        // A fresh fleet each time: the previous run's broker log, engine and reporter state and logs go.
        List.of("kafka", "policy-engine-state", "g1-state", "logs").forEach(dir -> deleteRecursively(runDir.resolve(dir)));
        copyDemoGuest(guestFile);
        Topics topics = Topics.DEFAULT;
        LocalFleet fleet = new LocalFleet(EmbeddedKafka.start(runDir.resolve("kafka"), false, topics, 3), topics, runDir);
        try {
            String servers = fleet.kafka.bootstrapServers();
            fleet.services.add(ServiceProcess.start("policy-engine", engineJar, Map.of(
                    "kafka.bootstrap.servers", servers,
                    "guestguard.policy.restart-limit", restartLimit,
                    "kafka-streams.state.dir", runDir.resolve("policy-engine-state").toString()),
                    runDir.resolve("logs/policy-engine.log")));
            fleet.services.add(ServiceProcess.start("guest-reporter g1", reporterJar, Map.of(
                    "kafka.bootstrap.servers", servers,
                    "guestguard.reporter.config-file", guestFile.toString()),
                    runDir.resolve("logs/guest-reporter-g1.log")));
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
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

    public List<ServiceProcess> services() {
        return List.copyOf(services);
    }

    /** Waits until the policy engine has joined its consumer group and owns its partitions. */
    public void awaitEngineReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                try {
                    var group = admin.describeConsumerGroups(List.of(ENGINE_APPLICATION_ID)).all().get()
                            .get(ENGINE_APPLICATION_ID);
                    if (group.groupState() == GroupState.STABLE && !group.members().isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // not there yet
                }
                services.stream().filter(s -> !s.isAlive()).findFirst().ifPresent(s -> {
                    throw new IllegalStateException(s.name() + " exited; see " + s.log());
                });
                Thread.sleep(100); // polling an external system's state; the deadline bounds it
            }
        }
        throw new IllegalStateException("the policy engine did not become ready within " + timeout
                + "; see " + runDir.resolve("logs/policy-engine.log"));
    }

    @Override
    public void close() {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        kafka.close();
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

    private static void copyDemoGuest(Path target) {
        try (InputStream in = LocalFleet.class.getResourceAsStream("/demo-guest.yaml")) {
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
