package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;
import io.guestguard.protocol.kafka.TopicPlan;

import java.util.Map;
import java.util.Set;

/**
 * Creates GuestGuard's topics for the embedded broker and the tests, as {@code guestguard topics
 * create} does on a real cluster: both take the topics' definition from {@link TopicPlan}, its one place.
 */
public final class TopicCreator {

    private TopicCreator() {
    }

    /** The configuration topic {@code name} is created with: {@link TopicPlan#configs}. */
    public static Map<String, String> configs(Topics topics, String name) {
        return TopicPlan.configs(topics, name);
    }

    /** Creates every topic of {@code topics} that does not exist yet and returns the names it created. */
    public static Set<String> create(String bootstrapServers, Topics topics, int partitions, short replicationFactor) {
        return TopicPlan.create(bootstrapServers, topics, partitions, replicationFactor);
    }
}
