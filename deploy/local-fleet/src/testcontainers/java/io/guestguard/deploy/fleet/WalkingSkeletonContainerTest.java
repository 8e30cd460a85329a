package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.DisabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.util.Locale;

/**
 * The walking skeleton's steps ({@link WalkingSkeletonTest}, inherited unchanged) on a Kafka in a container:
 * Testcontainers' {@code apache/kafka} image in KRaft mode, of the version the embedded broker runs, set as
 * {@link EmbeddedKafka#FLEET_SETTINGS} says. The fleet takes it as an external broker: it creates GuestGuard's
 * topics there, and leaves it running when it closes.
 *
 * <p>Compiled and run in the {@code testcontainers} Maven profile only, and skipped, saying why, where no
 * Docker engine answers; the embedded broker stays the default everywhere else.
 */
@DisabledIf(value = "noDockerEngine", disabledReason = WalkingSkeletonContainerTest.NO_DOCKER)
class WalkingSkeletonContainerTest extends WalkingSkeletonTest {

    static final String NO_DOCKER = "no Docker engine answers here (none at DOCKER_HOST, /var/run/docker.sock or in "
            + "~/.testcontainers.properties): the walking skeleton on a Testcontainers Kafka is skipped; "
            + "WalkingSkeletonTest takes the same steps on the embedded broker";

    @AutoClose
    private static KafkaContainer kafka;

    /** Whether no Docker engine answers; if so, says so where the build's output shows it, not only in its report. */
    static boolean noDockerEngine() {
        boolean none = !DockerClientFactory.instance().isDockerAvailable();
        if (none) {
            System.err.println("WalkingSkeletonContainerTest skipped: " + NO_DOCKER);
        }
        return none;
    }

    @BeforeAll
    static void startKafka() {
        kafka = new KafkaContainer(DockerImageName.parse(System.getProperty("guestguard.kafka.image", "apache/kafka:latest")));
        // The image turns KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS into group.min.session.timeout.ms, and so on.
        EmbeddedKafka.FLEET_SETTINGS.forEach((name, value) ->
                kafka.withEnv("KAFKA_" + name.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        kafka.start();
    }

    @Override
    String externalBroker() {
        return kafka.getBootstrapServers();
    }
}
