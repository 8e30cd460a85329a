package io.guestguard.policy.engine;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.policy.engine.config.BrokerClock;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The engine's check of its clock on a real broker: it started on this broker's guest log, which is
 * {@code LogAppendTime}; a guest log stamped by its producers ({@code CreateTime}) is refused with the
 * topic, the setting and the command that fixes it; a guest log that does not exist yet is waited for.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class BrokerClockTest {

    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();

    @Test
    void theEngineRunsOnAGuestLogStampedByTheBroker() throws Exception {
        try (Admin admin = admin()) {
            ConfigResource guestLog = new ConfigResource(ConfigResource.Type.TOPIC, Topics.DEFAULT.guestLog());
            assertThat(admin.describeConfigs(List.of(guestLog)).all().get().get(guestLog).get("message.timestamp.type").value())
                    .isEqualTo("LogAppendTime");
        }
    }

    @Test
    void aGuestLogStampedByItsProducersIsRefusedWithTheFix() throws Exception {
        String topic = "clock-check.guest-log.v1";
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();

            assertThatThrownBy(() -> BrokerClock.require(admin, topic, BrokerClock.DECIDER, servers, Duration.ofMillis(100)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("topic " + topic + " has message.timestamp.type=CreateTime")
                    .hasMessageContaining("kafka-configs.sh --bootstrap-server " + servers + " --alter --entity-type topics"
                            + " --entity-name " + topic + " --add-config message.timestamp.type=LogAppendTime");

            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("message.timestamp.type", "LogAppendTime"), AlterConfigOp.OpType.SET)))).all().get();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(
                    () -> BrokerClock.require(admin, topic, BrokerClock.DECIDER, servers, Duration.ofMillis(100)));
        }
    }

    @Test
    void aGuestLogThatDoesNotExistYetIsWaitedFor() throws Exception {
        String topic = "clock-wait.guest-log.v1";
        try (Admin admin = admin()) {
            CompletableFuture<Void> checked = CompletableFuture.runAsync(
                    () -> BrokerClock.require(admin, topic, BrokerClock.DECIDER, servers, Duration.ofMillis(100)));
            assertThat(checked).as("still waiting for the topic").isNotDone();
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get();
            await().atMost(Duration.ofSeconds(30)).until(checked::isDone);
            assertThat(checked).isCompleted();
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
    }
}
