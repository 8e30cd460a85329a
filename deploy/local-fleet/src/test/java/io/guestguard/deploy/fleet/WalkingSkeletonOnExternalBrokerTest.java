package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.Topics;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;

/**
 * The walking skeleton's steps ({@link WalkingSkeletonTest}, inherited unchanged) on a broker the fleet is
 * given by its address ({@link EmbeddedKafka#external}) rather than one of its own: here a broker started apart
 * in this JVM, as {@code WalkingSkeletonContainerTest} does with a container's where a Docker engine runs. The
 * fleet creates GuestGuard's topics there (the broker was started with another prefix's) and leaves it running.
 */
class WalkingSkeletonOnExternalBrokerTest extends WalkingSkeletonTest {

    @AutoClose
    private static EmbeddedKafka broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafka.startTemporary(new Topics("elsewhere."), 1);
    }

    @Override
    String externalBroker() {
        return broker.bootstrapServers();
    }
}
