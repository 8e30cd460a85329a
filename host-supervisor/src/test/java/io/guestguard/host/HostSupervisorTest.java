package io.guestguard.host;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class HostSupervisorTest {

    private final EventCodec codec = new EventCodec();

    @Test
    void beatsForItsHostKeyedByHostId() {
        try (TopicReader heartbeats = new TopicReader(EmbeddedKafkaResource.broker().bootstrapServers(), Topics.DEFAULT.heartbeats())) {
            List<CloudEvent<?>> beats = await().atMost(Duration.ofSeconds(30)).until(() -> heartbeats.poll().stream()
                    .filter(r -> "test-host".equals(r.key())).<CloudEvent<?>>map(r -> codec.decode(r.value())).toList(),
                    b -> b.size() >= 3);
            assertThat(beats).allSatisfy(beat -> {
                assertThat(beat.hostId()).isEqualTo("test-host");
                assertThat(beat.data()).isEqualTo(new Heartbeat("host", "test-host", List.of()));
            });
            assertThat(beats.get(2).time()).isAfter(beats.get(0).time());
        }
    }
}
