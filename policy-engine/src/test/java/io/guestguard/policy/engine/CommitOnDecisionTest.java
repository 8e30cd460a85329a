package io.guestguard.policy.engine;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.guestguard.policy.engine.PolicyEngineTest.decisionsOf;
import static io.guestguard.policy.engine.PolicyEngineTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A live fact's decision is committed at once, not at the end of the commit interval
 * ({@code CommitPacing}): with the interval set to ten minutes, decisions are still read within
 * seconds, which only a commit the engine asks for can make visible to a read_committed reader.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@TestProfile(CommitOnDecisionTest.TenMinuteCommitInterval.class)
class CommitOnDecisionTest {

    public static class TenMinuteCommitInterval implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String tenMinutes = String.valueOf(Duration.ofMinutes(10).toMillis());
            // Kafka Streams refuses a transaction timeout shorter than the commit interval.
            return Map.of("kafka-streams.commit.interval.ms", tenMinutes, "kafka-streams.producer.transaction.timeout.ms", tenMinutes);
        }
    }

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();

    @Test
    void aLiveFactsDecisionIsReadableLongBeforeTheCommitInterval() throws Exception {
        String guest = "commit-at-once";
        try (KafkaProducer<String, byte[]> producer = PolicyEngineTest.producer(servers);
             TopicReader decisions = new TopicReader(servers, topics.decisions())) {
            List<Decision> seen = List.of();
            for (int i = 1; i <= 2; i++) {
                producer.send(new ProducerRecord<>(topics.guestLog(), guest, codec.encode(failure(guest, "live" + i, 300 + i)))).get();
                int expected = i;
                // The first waits for the engine to join its group as well; either is minutes early.
                seen = await().atMost(Duration.ofSeconds(i == 1 ? 60 : 20))
                        .until(() -> decisionsOf(decisions.poll(), guest), d -> d.size() >= expected);
            }
            assertThat(seen).extracting(Decision::action).containsExactly(Decision.Action.RESTART_APP, Decision.Action.RESTART_APP);
        }
    }
}
