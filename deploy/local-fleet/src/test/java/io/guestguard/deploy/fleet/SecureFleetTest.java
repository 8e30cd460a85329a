package io.guestguard.deploy.fleet;

import io.guestguard.cli.GuestGuardCommand;
import io.guestguard.cli.acls.FleetAcls;
import io.guestguard.deploy.kafka.BrokerSecurity;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The crash-to-restart path on a broker with transport security and ACLs on (StandardAuthorizer,
 * nothing allowed unless granted), each packaged service as its own principal granted only
 * {@link FleetAcls}' set, which {@code guestguard acls} prints. With the engine, the watcher and a
 * reporter alone, the engine and the watcher log in as SCRAM users over SASL_SSL and the reporter
 * connects over mutual TLS with its client certificate ({@code User:CN=guest-g1}, the ACLs of
 * {@code --authentication TLS}): a killed application is restarted, the operator's replay verifies the
 * decision, and the guest's certificate is refused on the hosts' commands and on the decisions. The
 * two-host fleet runs its supervisors and reporters as SCRAM users, the guests through their host's gateway.
 */
class SecureFleetTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../.."));

    private final EventCodec codec = new EventCodec();

    @Test
    void aKilledApplicationIsRestartedWithTheReporterOnMutualTlsAndItsCertificateIsRefusedTheRest(@TempDir Path runDir) throws Exception {
        try (LocalFleet fleet = LocalFleet.startSecureSingleReporter(HOME, runDir, "3");
             TopicReader guestLog = new TopicReader(fleet.bootstrapServers(), fleet.topics().guestLog());
             TopicReader decisions = new TopicReader(fleet.bootstrapServers(), fleet.topics().decisions())) {
            BrokerSecurity security = fleet.security().orElseThrow();
            Map<String, String> g1Tls = security.tlsSettings(FleetAcls.guestUser("g1"));
            assertThat(Files.readString(runDir.resolve("g1.yaml"))).as("the guest file holds the reporter's client certificate")
                    .contains("security_protocol: SSL", "keystore: " + g1Tls.get("ssl.keystore.location"),
                            "keystore_password_file: " + g1Tls.get("ssl.keystore.password.file"))
                    .doesNotContain("sasl");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrapServers()))) {
                Set<String> principals = admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).stream()
                        .map(acl -> acl.entry().principal()).collect(Collectors.toSet());
                assertThat(principals).as("the reporter's only principal is its certificate's")
                        .contains("User:CN=guest-g1").doesNotContain("User:guest-g1")
                        .contains("User:" + FleetAcls.ENGINE_USER, "User:" + FleetAcls.WATCHER_USER);
            }

            long pid = await().atMost(Duration.ofSeconds(90)).until(() -> startedPid(guestLog, -1), Optional::isPresent).orElseThrow();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long newPid = await().atMost(Duration.ofSeconds(60)).until(() -> startedPid(guestLog, pid), Optional::isPresent).orElseThrow();
            assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive)).contains(true);
            Decision decided = (Decision) await().atMost(Duration.ofSeconds(30)).until(() -> decisions.poll().stream()
                    .map(r -> codec.decode(r.value())).findFirst(), Optional::isPresent).orElseThrow().data();
            assertThat(decided.action()).isEqualTo(Decision.Action.RESTART_APP);
            assertThat(decided.app()).isEqualTo("app1");

            Path operatorConfig = runDir.resolve("operator.properties");
            Files.writeString(operatorConfig, security.scramUser(LocalFleet.OPERATOR_USER).entrySet().stream()
                    .filter(e -> !e.getKey().equals("bootstrap.servers"))
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")));
            StringWriter out = new StringWriter();
            CommandLine cli = new CommandLine(new GuestGuardCommand());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(out, true));
            assertThat(cli.execute("replay", "--verify", "--bootstrap-servers", security.saslSsl(),
                    "--command-config", operatorConfig.toString())).as(out.toString()).isZero();
            assertThat(out.toString()).contains("1 decisions, 0 differences");

            // The reporter's own certificate, on the mutual-TLS listener it uses.
            Map<String, Object> guest = KafkaClientSettings.read(g1Tls, "g1", k -> k)
                    .with(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000",
                            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000"));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(guest, new StringSerializer(), new StringSerializer())) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(fleet.topics().hostCommands(), "primary", "{}"))
                        .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(KafkaClientSettings.read(
                    g1Tls, "g1", k -> k).with(Map.of(
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.assign(List.of(new TopicPartition(fleet.topics().decisions(), 0)));
                assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10))).isInstanceOf(TopicAuthorizationException.class);
            }
        }
    }

    @Test
    void theTwoHostFleetRunsSecureWithEveryHostAndGuestItsOwnUser(@TempDir Path runDir) {
        try (LocalFleet fleet = LocalFleet.start(HOME, runDir, "2", LocalFleet.Options.DEFAULT.withSecurity());
             TopicReader guestLog = new TopicReader(fleet.bootstrapServers(), fleet.topics().guestLog())) {
            // The engine's start-guest reaches primary's supervisor, which starts g1, whose reporter (through the
            // guest gateway, over SASL_SSL) starts app1; its kill is decided and g1's reporter restarts it.
            long pid = await().atMost(Duration.ofSeconds(120)).until(() -> startedPid(guestLog, "g1", -1), Optional::isPresent).orElseThrow();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long newPid = await().atMost(Duration.ofSeconds(60)).until(() -> startedPid(guestLog, "g1", pid), Optional::isPresent).orElseThrow();
            assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive)).contains(true);
            assertThat(fleet.services()).allMatch(ServiceProcess::isAlive);
        }
    }

    private Optional<Long> startedPid(TopicReader guestLog, long not) {
        return startedPid(guestLog, "g1", not);
    }

    /** The pid of {@code guest}'s app1's first start other than {@code not}'s, if it has been reported. */
    private Optional<Long> startedPid(TopicReader guestLog, String guest, long not) {
        return guestLog.poll().stream().map(r -> codec.decode(r.value())).filter(e -> guest.equals(e.guestId()))
                .filter(e -> e.data() instanceof AppStarted s && s.app().equals("app1") && s.pid() != not)
                .map(e -> ((AppStarted) e.data()).pid()).findFirst();
    }
}
