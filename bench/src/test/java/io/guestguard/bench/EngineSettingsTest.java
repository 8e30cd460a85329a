package io.guestguard.bench;

import io.guestguard.protocol.kafka.TopicPlan;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's settings as the benchmarks read them, and the compaction its changelogs share with TopicPlan. */
class EngineSettingsTest {

    @Test
    void theEnginesChangelogsAreCompactedAsTheCompactedTopicsAre() {
        var settings = EngineSettings.kafkaStreams();
        TopicPlan.compaction().forEach((key, value) -> {
            if (!key.equals(TopicConfig.CLEANUP_POLICY_CONFIG)) { // Kafka Streams compacts its changelogs itself
                assertThat(settings).as(key).containsEntry(StreamsConfig.topicPrefix(key), value);
            }
        });
        assertThat(settings).doesNotContainKey(StreamsConfig.STATE_DIR_CONFIG);
    }
}
