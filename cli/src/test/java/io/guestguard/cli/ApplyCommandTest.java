package io.guestguard.cli;

import io.guestguard.cli.CheckCommandTest.Run;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.KeyRing;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.guestguard.cli.PackageFileLoaderTest.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code guestguard apply} against a real Kafka broker, read back as the policy engine would read it. */
class ApplyCommandTest {

    private static EmbeddedKafka kafka;
    private final EventCodec codec = new EventCodec();

    /** The operator's key every command here signs with, as an operator's would. */
    private static SigningKey operator;
    private static Path operatorKey;

    @BeforeAll
    static void startKafka(@TempDir Path keys) throws IOException {
        kafka = EmbeddedKafka.startTemporary(Topics.DEFAULT, 3);
        operator = SigningKey.generate(new Principal(Role.OPERATOR, "alice"));
        operatorKey = keys.resolve("operator-alice.key");
        KeyFile.write(operator, operatorKey, keys.resolve("operator-alice.pub"));
    }

    /** Runs a command as operator alice. */
    private static Run op(String... args) {
        String[] signed = java.util.Arrays.copyOf(args, args.length + 2);
        signed[args.length] = "--key";
        signed[args.length + 1] = operatorKey.toString();
        return Run.of(signed);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void writesOnePackageAppliedFactKeyedByTheGuest() {
        Path file = sample("full.yaml");
        Instant before = Instant.now();

        Run run = op("apply", "-f", file.toString(), "--bootstrap-servers", kafka.bootstrapServers());

        Instant after = Instant.now();
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        ConsumerRecord<String, byte[]> record = readBack("web-01");
        assertThat(run.out()).isEqualTo("applied package web-01 to guestguard.guest-log.v1 (partition "
                + record.partition() + ", offset " + record.offset() + ")" + System.lineSeparator());
        CloudEvent<?> event = codec.decode(record.value());
        KeyRing ring = new KeyRing();
        ring.register(operator, Instant.now());
        assertThat(new Provenance(ring).check(codec.read(record.value()).json(), event)).as("signed by the operator's key")
                .isEqualTo(operator.principal());
        assertThat(event.data()).isEqualTo(new PackageApplied(new PackageFileLoader().load(file)));
        assertThat(event.type()).isEqualTo("io.guestguard.package.applied.v1");
        assertThat(event.guestId()).isEqualTo("web-01");
        assertThat(event.source()).as("the operator whose key signs it").isEqualTo("/operator/alice");
        assertThat(UUID.fromString(event.id())).isNotNull();
        assertThat(event.time()).isBetween(before, after);
        assertThat(event.guestSeq()).isNull();
        assertThat(event.traceparent()).as("an operator's fact starts a trace, signed with it").isNotNull();
        assertThat(event.hostId()).isNull();
        assertThat(event.epoch()).isNull();
    }

    @Test
    void appStopAndStartWriteOperatorRequestsKeyedByTheGuestToTheGuestLogAndNoCommand() {
        String user = "alice"; // the operator whose key signs the request
        long commandsBefore = recordsOn(Topics.DEFAULT.guestCommands());

        Run stop = op("app", "stop", "app1", "--guest", "web-07", "--bootstrap-servers", kafka.bootstrapServers());
        Run start = op("app", "start", "app1", "-g", "web-07", "--bootstrap-servers", kafka.bootstrapServers());

        assertThat(stop.err()).isEmpty();
        assertThat(stop.exitCode()).isZero();
        assertThat(start.err()).isEmpty();
        assertThat(start.exitCode()).isZero();
        List<ConsumerRecord<String, byte[]>> records = readBack(Topics.DEFAULT.guestLog(), "web-07", 2);
        assertThat(stop.out()).isEqualTo("asked to stop app1 in guest web-07 (guestguard.guest-log.v1 partition "
                + records.get(0).partition() + ", offset " + records.get(0).offset() + ")" + System.lineSeparator());
        assertThat(start.out()).isEqualTo("asked to start app1 in guest web-07 (guestguard.guest-log.v1 partition "
                + records.get(1).partition() + ", offset " + records.get(1).offset() + ")" + System.lineSeparator());
        CloudEvent<?> stopped = codec.decode(records.get(0).value());
        CloudEvent<?> started = codec.decode(records.get(1).value());
        assertThat(stopped.data()).isEqualTo(new OperatorRequest(OperatorRequest.Action.STOP_APP, null, user, "app1"));
        assertThat(started.data()).isEqualTo(new OperatorRequest(OperatorRequest.Action.START_APP, null, user, "app1"));
        assertThat(stopped.traceparent().traceId()).as("each request a trace of its own").isNotEqualTo(started.traceparent().traceId());
        assertThat(List.of(stopped, started)).allSatisfy(event -> {
            assertThat(event.type()).isEqualTo("io.guestguard.operator.request.v1");
            assertThat(event.guestId()).isEqualTo("web-07");
            assertThat(event.source()).isEqualTo("/operator/" + user);
            assertThat(UUID.fromString(event.id())).isNotNull();
            assertThat(event.guestSeq()).isNull();
            assertThat(event.hostId()).isNull();
            assertThat(event.epoch()).isNull();
        });
        assertThat(stopped.id()).isNotEqualTo(started.id());
        // The decider decides what follows: the CLI writes no command.
        assertThat(recordsOn(Topics.DEFAULT.guestCommands())).isEqualTo(commandsBefore);
    }

    @Test
    void appRejectsAnUnknownAction() {
        Run run = op("app", "pause", "app1", "--guest", "web-07", "--bootstrap-servers", kafka.bootstrapServers());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("pause").contains("stop, start");
    }

    @Test
    void guestHaltRunMoveMigrateAndSwitchingWriteOperatorRequestsToTheGuestLogInOrder() {
        String user = "alice"; // the operator whose key signs the request
        List<Run> runs = List.of(
                op("guest", "halt", "--guest", "web-09", "--bootstrap-servers", kafka.bootstrapServers()),
                op("guest", "run", "-g", "web-09", "--bootstrap-servers", kafka.bootstrapServers()),
                op("guest", "run", "-g", "web-09", "--to", "h2", "--bootstrap-servers", kafka.bootstrapServers()),
                op("guest", "move", "-g", "web-09", "--to", "h1", "--bootstrap-servers", kafka.bootstrapServers()),
                op("guest", "migrate", "-g", "web-09", "--to", "h3", "--bootstrap-servers", kafka.bootstrapServers()),
                op("guest", "disable-switching", "-g", "web-09", "--bootstrap-servers", kafka.bootstrapServers()),
                op("guest", "enable-switching", "-g", "web-09", "--bootstrap-servers", kafka.bootstrapServers()));

        assertThat(runs).allSatisfy(run -> {
            assertThat(run.err()).isEmpty();
            assertThat(run.exitCode()).isZero();
        });
        List<ConsumerRecord<String, byte[]>> records = readBack(Topics.DEFAULT.guestLog(), "web-09", 7);
        assertThat(runs.get(4).out()).isEqualTo("asked to migrate guest web-09 to h3 (guestguard.guest-log.v1 partition "
                + records.get(4).partition() + ", offset " + records.get(4).offset() + ")" + System.lineSeparator());
        assertThat(runs.get(0).out()).startsWith("asked to halt guest web-09 (guestguard.guest-log.v1 partition ");
        List<CloudEvent<?>> events = records.stream().<CloudEvent<?>>map(r -> codec.decode(r.value())).toList();
        assertThat(events.stream().map(e -> (Object) e.data()).toList()).containsExactly(
                new OperatorRequest(OperatorRequest.Action.HALT, null, user),
                new OperatorRequest(OperatorRequest.Action.RUN, null, user),
                new OperatorRequest(OperatorRequest.Action.RUN, "h2", user),
                new OperatorRequest(OperatorRequest.Action.MOVE, "h1", user),
                new OperatorRequest(OperatorRequest.Action.MIGRATE, "h3", user),
                new OperatorRequest(OperatorRequest.Action.DISABLE_SWITCHING, null, user),
                new OperatorRequest(OperatorRequest.Action.ENABLE_SWITCHING, null, user));
        assertThat(runs.get(5).out()).startsWith("asked to disable-switching guest web-09 (");
        assertThat(events).allSatisfy(event -> {
            assertThat(event.type()).isEqualTo("io.guestguard.operator.request.v1");
            assertThat(event.guestId()).isEqualTo("web-09");
            assertThat(event.source()).isEqualTo("/operator/" + user);
            assertThat(UUID.fromString(event.id())).isNotNull();
            assertThat(event.guestSeq()).isNull();
            assertThat(event.hostId()).isNull();
            assertThat(event.epoch()).isNull();
        });
        assertThat(events).extracting(CloudEvent::id).doesNotHaveDuplicates();
    }

    @Test
    void guestMoveAndMigrateNeedAHostAndHaltTakesNoneAndNothingIsSent() {
        long recordsBefore = recordsOnGuestLog();

        Run move = op("guest", "move", "-g", "web-10", "--bootstrap-servers", kafka.bootstrapServers());
        Run migrate = op("guest", "migrate", "-g", "web-10", "--bootstrap-servers", kafka.bootstrapServers());
        Run halt = op("guest", "halt", "-g", "web-10", "--to", "h2", "--bootstrap-servers", kafka.bootstrapServers());
        Run unknown = op("guest", "pause", "-g", "web-10", "--bootstrap-servers", kafka.bootstrapServers());
        Run noGuest = op("guest", "halt", "--bootstrap-servers", kafka.bootstrapServers());
        Run switchingTo = op("guest", "disable-switching", "-g", "web-10", "--to", "h2", "--bootstrap-servers", kafka.bootstrapServers());

        assertThat(List.of(move, migrate, halt, unknown, noGuest, switchingTo)).allSatisfy(run -> {
            assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(run.out()).isEmpty();
        });
        assertThat(move.err()).contains("guest move needs --to HOST");
        assertThat(migrate.err()).contains("guest migrate needs --to HOST");
        assertThat(halt.err()).contains("guest halt takes no --to");
        assertThat(unknown.err()).contains("'pause' is not an action; use halt, run, move, migrate, disable-switching or enable-switching");
        assertThat(switchingTo.err()).contains("guest disable-switching takes no --to");
        assertThat(noGuest.err()).contains("Missing required option: '--guest=GUEST'");
        assertThat(recordsOnGuestLog()).isEqualTo(recordsBefore);
    }

    @Test
    void anInvalidFileSendsNothing() {
        Path file = sample("apply-g2-invalid.yaml");
        long recordsBefore = recordsOnGuestLog();

        Run run = op("apply", "-f", file.toString(), "--bootstrap-servers", kafka.bootstrapServers());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_PACKAGE);
        assertThat(run.err()).isEqualTo(file + ": failover_policy: 'nearest' is not a failover policy; "
                + "use configured_node or min_package_node" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
        // apply returns only after the acknowledgement, so a record it had sent would be counted already.
        assertThat(recordsOnGuestLog()).isEqualTo(recordsBefore);
    }

    @Test
    void aMissingTopicIsNamedWithExitCode2() {
        Path file = sample("apply-g2.yaml");

        Run run = op("apply", "-f", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "elsewhere.");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.KAFKA_UNAVAILABLE);
        assertThat(run.err()).isEqualTo("apply " + file + ": topic elsewhere.guest-log.v1 does not exist on Kafka at "
                + kafka.bootstrapServers() + "; create GuestGuard's topics first (guestguard topics create "
                + "--bootstrap-servers " + kafka.bootstrapServers() + ", see 'Running against an existing "
                + "Kafka cluster' in README.md), or check --topic-prefix" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anUnreachableBrokerIsAClearErrorWithinTheTimeout() throws IOException {
        String nobody = "127.0.0.1:" + freePort();
        long start = System.nanoTime();

        Run run = op("apply", "-f", sample("apply-g2.yaml").toString(), "--bootstrap-servers", nobody,
                "--timeout", "2s");

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.KAFKA_UNAVAILABLE);
        assertThat(run.err()).contains("cannot reach Kafka at " + nobody + " within 2s; check --bootstrap-servers");
        assertThat(took).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    @Test
    void bootstrapServersTheClientRefusesAreNamed() {
        Run run = op("apply", "-f", sample("apply-g2.yaml").toString(), "--bootstrap-servers", "broker-without-port");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.KAFKA_UNAVAILABLE);
        assertThat(run.err()).contains("cannot use Kafka at 'broker-without-port': Invalid url in bootstrap.servers: "
                + "broker-without-port; give --bootstrap-servers as HOST:PORT");
    }

    @Test
    void kafkaOptionsDefaultToTheServicesDefaults() {
        CommandLine cli = new CommandLine(new GuestGuardCommand());

        ApplyCommand apply = cli.parseArgs("apply", "-f", "g1.yaml").subcommand().commandSpec().commandLine().getCommand();

        String fromEnvironment = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(apply.kafka.bootstrapServers).isEqualTo(fromEnvironment != null ? fromEnvironment : "localhost:9092");
        assertThat(apply.kafka.topics()).isEqualTo(Topics.DEFAULT);
        assertThat(apply.kafka.timeout).as("an unreachable cluster fails within ~15 s").isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aZeroTimeoutIsAUsageError() {
        Run run = op("apply", "-f", "g1.yaml", "--timeout", "0s");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("'0s' is not a duration above 0");
    }

    private ConsumerRecord<String, byte[]> readBack(String guest) {
        return readBack(Topics.DEFAULT.guestLog(), guest, 1).get(0);
    }

    private List<ConsumerRecord<String, byte[]>> readBack(String topic, String guest, int expected) {
        AtomicReference<List<ConsumerRecord<String, byte[]>>> found = new AtomicReference<>();
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), topic)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                found.set(reader.poll().stream().filter(r -> guest.equals(r.key())).toList());
                assertThat(found.get()).hasSize(expected);
            });
        }
        return found.get();
    }

    /** Records ever written to the guest log: the sum of its partitions' end offsets. */
    private static long recordsOnGuestLog() {
        return recordsOn(Topics.DEFAULT.guestLog());
    }

    /** Records ever written to {@code topic}: the sum of its partitions' end offsets. */
    private static long recordsOn(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = partitions.stream()
                    .collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        } catch (Exception e) {
            throw new IllegalStateException("cannot count the records on " + topic, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
