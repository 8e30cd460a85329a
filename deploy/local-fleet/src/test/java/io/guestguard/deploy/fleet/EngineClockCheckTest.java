package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged policy engine refuses to start on a guest log whose record times its producers set
 * ({@code CreateTime}, Kafka's default): the decider's clock would then be whatever clock a guest
 * keeps. It exits before deciding anything, and its log names the topic, the setting and the
 * {@code kafka-configs.sh} command that fixes it.
 */
class EngineClockCheckTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();

    @Test
    void theEngineRefusesAGuestLogStampedByItsProducersAndSaysHowToFixIt(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(Topics.DEFAULT, 1);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            String guestLog = Topics.DEFAULT.guestLog();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, guestLog), List.of(
                    new AlterConfigOp(new ConfigEntry("message.timestamp.type", "CreateTime"), AlterConfigOp.OpType.SET))))
                    .all().get();

            try (ServiceProcess engine = ServiceProcess.start("policy-engine",
                    HOME.resolve("policy-engine/target/quarkus-app/quarkus-run.jar"), Map.of(
                            "kafka.bootstrap.servers", kafka.bootstrapServers(),
                            "kafka-streams.state.dir", dir.resolve("state").toString()), dir.resolve("policy-engine.log"))) {
                await("the engine exits").atMost(Duration.ofSeconds(120)).until(() -> !engine.isAlive());
                assertThat(Files.readString(engine.log())).contains("topic " + guestLog + " has message.timestamp.type=CreateTime",
                        "kafka-configs.sh --bootstrap-server " + kafka.bootstrapServers() + " --alter --entity-type topics "
                                + "--entity-name " + guestLog + " --add-config message.timestamp.type=LogAppendTime");
            }
        }
    }
}
