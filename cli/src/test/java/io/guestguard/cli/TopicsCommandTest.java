package io.guestguard.cli;

import io.guestguard.cli.CheckCommandTest.Run;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code guestguard topics create|check} against a real KRaft broker. */
class TopicsCommandTest {

    private static EmbeddedKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.startTemporary(Topics.DEFAULT, 3);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stopKafka() {
        admin.close();
        kafka.close();
    }

    @Test
    void createMakesEveryTopicWithItsConfigurationOnceAndCheckThenFindsNothing() throws Exception {
        Topics topics = new Topics("create.");
        Run created = run("create", topics, "--partitions", "2", "--replication-factor", "1");
        assertThat(created.exitCode()).as(created.err()).isEqualTo(0);
        assertThat(created.out()).contains("created create.guest-log.v1 (2 partitions, replication 1, "
                + "message.timestamp.type=LogAppendTime)", "created create.placements.v1 (2 partitions, replication 1, "
                + "cleanup.policy=compact, min.cleanable.dirty.ratio=0.1, segment.bytes=1048576, segment.ms=600000)");
        assertThat(created.out().lines().filter(l -> l.startsWith("created "))).hasSize(topics.all().size());
        // A topic just created may not be known to the broker's metadata yet (UnknownTopicOrPartition, seen in CI).
        TopicDescription guestLog = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin
                .describeTopics(List.of(topics.guestLog())).allTopicNames().get().get(topics.guestLog()), d -> d != null);
        assertThat(guestLog.partitions()).hasSize(2);
        String retention = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin.describeConfigs(List.of(
                new ConfigResource(ConfigResource.Type.TOPIC, topics.hostHeartbeats()))).all().get().values().iterator().next()
                .get("retention.ms").value(), v -> v != null);
        assertThat(retention).isEqualTo("600000");

        Run again = run("create", topics, "--partitions", "2", "--replication-factor", "1");
        assertThat(again.exitCode()).isEqualTo(0);
        assertThat(again.out()).doesNotContain("created ").contains("exists  create.guest-log.v1");

        Run checked = run("check", topics, "--partitions", "2", "--replication-factor", "1");
        assertThat(checked.exitCode()).as(checked.err()).isEqualTo(0);
        assertThat(checked.out()).contains("are as GuestGuard needs them");
        // The embedded broker creates its topics from the same definition.
        assertThat(run("check", Topics.DEFAULT, "--partitions", "3", "--replication-factor", "1").exitCode()).isEqualTo(0);
    }

    @Test
    void checkNamesTheTopicTheSettingAndTheFixOfEveryDifference() throws Exception {
        Topics topics = new Topics("drift.");
        // A cluster set up by hand: the guest log stamped by producers, placements not compacted,
        // host beats kept forever, the rest missing.
        admin.createTopics(List.of(
                new NewTopic(topics.guestLog(), 2, (short) 1).configs(Map.of("message.timestamp.type", "CreateTime")),
                new NewTopic(topics.placements(), 2, (short) 1),
                new NewTopic(topics.hostHeartbeats(), 4, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime",
                        "segment.ms", "120000")))).all().get();
        // Created on the controller; wait until the brokers' metadata has them, as a check run later would.
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> admin.listTopics().names().get()
                .containsAll(List.of(topics.guestLog(), topics.placements(), topics.hostHeartbeats())));

        Run checked = run("check", topics, "--partitions", "2", "--replication-factor", "1");
        assertThat(checked.exitCode()).isEqualTo(4);
        assertThat(checked.err())
                .contains("drift.guest-log.v1: message.timestamp.type is CreateTime, expected LogAppendTime; kafka-configs.sh "
                        + "--bootstrap-server " + kafka.bootstrapServers() + " --alter --entity-type topics --entity-name "
                        + "drift.guest-log.v1 --add-config message.timestamp.type=LogAppendTime")
                .contains("drift.placements.v1: cleanup.policy is delete, expected compact;")
                .contains("drift.placements.v1: segment.bytes is 1073741824, expected 1048576;")
                .contains("drift.placements.v1: min.cleanable.dirty.ratio is 0.5, expected 0.1;")
                .contains("drift.host-heartbeats.v1: partitions is 4, expected 2;")
                .contains("drift.host-heartbeats.v1: retention.ms is 604800000, expected 600000;")
                .contains("drift.decisions.v1: presence is missing, expected present; create it: guestguard topics create "
                        + "--bootstrap-servers " + kafka.bootstrapServers() + " --partitions 2 --replication-factor 1 "
                        + "--topic-prefix drift.");

        Run replication = run("check", topics, "--partitions", "2", "--replication-factor", "3");
        assertThat(replication.err()).contains("drift.guest-log.v1: replication is 1, expected at least 3;");

        Run fixed = run("create", topics, "--partitions", "2", "--replication-factor", "1");
        assertThat(fixed.exitCode()).isEqualTo(0);
        assertThat(run("check", topics, "--partitions", "2", "--replication-factor", "1").err())
                .doesNotContain("presence").contains("drift.guest-log.v1: message.timestamp.type");
    }

    @Test
    void anUnreachableClusterIsExitCode2() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Run checked = Run.of("topics", "check", "--bootstrap-servers", "127.0.0.1:" + port, "--timeout", "1s");
        assertThat(checked.exitCode()).isEqualTo(2);
        assertThat(checked.err()).contains("topics check: Kafka at 127.0.0.1:" + port);
        assertThat(Run.of("topics").exitCode()).isEqualTo(64);
    }

    private static Run run(String action, Topics topics, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("topics", action, "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", topics.prefix()));
        args.addAll(List.of(options));
        return Run.of(args.toArray(String[]::new));
    }
}
