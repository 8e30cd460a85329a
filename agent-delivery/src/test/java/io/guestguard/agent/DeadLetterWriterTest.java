package io.guestguard.agent;

import io.guestguard.protocol.DeadLetterMetrics;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Topics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Dead letters on a real broker: the original record with its reason and origin in headers; retried
 * within a limit while the broker is gone, then given up with the reason, which the writer reports
 * until Kafka takes a write again.
 */
class DeadLetterWriterTest {

    private static final Topics TOPICS = Topics.DEFAULT;

    @Test
    void aDeadLetterKeepsTheRecordAndSaysWhyAndWhereFrom() {
        MeterRegistry registry = new SimpleMeterRegistry();
        DeadLetterMetrics.serve(registry, "host-supervisor");
        FunctionCounter unreadable = registry.get("guestguard.dead.letters").tag("service", "host-supervisor")
                .tag("reason", "unreadable").functionCounter();
        double before = unreadable.count();
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(TOPICS, 1);
             AckedSender sender = sender(kafka, 3)) {
            new DeadLetterWriter(sender, TOPICS.deadLetter(), "host-supervisor").write(garbageAt(7), "malformed JSON");
            assertThat(unreadable.count()).as("counted by the kind of its reason").isEqualTo(before + 1);

            ConsumerRecord<String, byte[]> letter = readOne(kafka);
            assertThat(letter.key()).isEqualTo("g1");
            assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("garbage");
            assertThat(header(letter, DeadLetter.REASON)).isEqualTo("malformed JSON");
            assertThat(header(letter, DeadLetter.TOPIC)).isEqualTo(TOPICS.guestCommands());
            assertThat(header(letter, DeadLetter.PARTITION)).isEqualTo("0");
            assertThat(header(letter, DeadLetter.OFFSET)).isEqualTo("7");
            assertThat(header(letter, DeadLetter.SERVICE)).isEqualTo("host-supervisor");
        }
    }

    @Test
    void aDeadLetterGivesUpAfterItsAttemptsAndReportsItUntilKafkaTakesAWriteAgain() {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(TOPICS, 1);
             AckedSender sender = sender(kafka, 2)) {
            DeadLetterWriter writer = new DeadLetterWriter(sender, TOPICS.deadLetter(), "guest-reporter");
            writer.write(garbageAt(7), "malformed JSON");
            assertThat(sender.trouble()).isEmpty();

            kafka.stop();
            assertThatThrownBy(() -> writer.write(garbageAt(8), "malformed JSON"))
                    .hasMessageContaining("not written to " + TOPICS.deadLetter() + " after 2 attempts");
            assertThat(sender.trouble()).get().asString().contains(TOPICS.guestCommands() + "-0@8");

            kafka.restart();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                sender.sendAndForget(new ProducerRecord<>(TOPICS.heartbeats(), "g1", new byte[0]));
                return sender.trouble().isEmpty();
            });
        }
    }

    private static AckedSender sender(EmbeddedKafka kafka, int attempts) {
        return new AckedSender(new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "3000",
                ProducerConfig.LINGER_MS_CONFIG, "0"),
                new StringSerializer(), new ByteArraySerializer()), attempts, Duration.ofMillis(10), Duration.ofMillis(50));
    }

    private static ConsumerRecord<String, byte[]> garbageAt(long offset) {
        return new ConsumerRecord<>(TOPICS.guestCommands(), 0, offset, "g1", "garbage".getBytes(StandardCharsets.UTF_8));
    }

    private static ConsumerRecord<String, byte[]> readOne(EmbeddedKafka kafka) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPICS.deadLetter()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                return !read.isEmpty();
            });
            assertThat(read).hasSize(1);
            return read.get(0);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
