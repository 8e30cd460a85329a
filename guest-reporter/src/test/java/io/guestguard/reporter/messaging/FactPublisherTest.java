package io.guestguard.reporter.messaging;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.reporter.durable.Outbox;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Dead letters on a real broker that goes away: retried within a limit, then given up with the
 * reason, and the reporter says so until Kafka takes its writes again.
 */
class FactPublisherTest {

    @TempDir
    Path dir;

    @Test
    void aDeadLetterGivesUpAfterItsAttemptsAndReportsItUntilKafkaTakesAWriteAgain() {
        Topics topics = Topics.DEFAULT;
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(topics, 1);
             Outbox outbox = Outbox.open(dir, 100, false);
             FactPublisher publisher = new FactPublisher(outbox, kafka.bootstrapServers(), topics, "g1", new EventCodec(),
                     Duration.ofMillis(10), Duration.ofMillis(50), 2)) {
            ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(topics.guestCommands(), 0, 7, "g1",
                    "garbage".getBytes(StandardCharsets.UTF_8));
            publisher.deadLetter(record, "malformed JSON");
            assertThat(publisher.trouble()).isEmpty();

            kafka.stop();
            assertThatThrownBy(() -> publisher.deadLetter(record, "malformed JSON"))
                    .hasMessageContaining("not written after 2 attempts");
            assertThat(publisher.trouble()).get().asString().contains(topics.guestCommands() + "-0@7");

            kafka.restart();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                publisher.heartbeat();
                return publisher.trouble().isEmpty();
            });
        }
    }
}
