package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An outage of the real broker: stopped, its port refuses connections, restarted with its log intact. */
class EmbeddedKafkaRestartTest {

    @Test
    void aStoppedBrokerRefusesConnectionsAndComesBackOnTheSamePortWithItsRecords() throws Exception {
        Topics topics = new Topics("restart.");
        EmbeddedKafka kafka = EmbeddedKafka.startTemporary(topics, 1);
        String servers = kafka.bootstrapServers();
        int port = Integer.parseInt(servers.substring(servers.indexOf(':') + 1));
        Path workDir = kafka.workDir();
        try (kafka; KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000"), new StringSerializer(), new StringSerializer())) {
            RecordMetadata before = producer.send(new ProducerRecord<>(topics.guestLog(), 0, "g1", "before")).get(30, TimeUnit.SECONDS);

            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 500))
                    .as("stopped broker refuses connections").isInstanceOf(IOException.class);
            assertThat(Files.exists(kafka.logDir().resolve("meta.properties"))).as("log kept while stopped").isTrue();
            kafka.stop(); // a second stop is a no-op

            kafka.restart();
            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.bootstrapServers()).isEqualTo(servers);
            assertThatThrownBy(kafka::restart).isInstanceOf(IllegalStateException.class);
            // The producer created before the outage reconnects by itself to the same address.
            RecordMetadata after = producer.send(new ProducerRecord<>(topics.guestLog(), 0, "g1", "after")).get(30, TimeUnit.SECONDS);
            assertThat(after.offset()).as("appended after the record written before the outage").isEqualTo(before.offset() + 1);
            try (TopicReader reader = new TopicReader(servers, topics.guestLog())) {
                List<String> values = readValues(reader, 2);
                assertThat(values).containsExactly("before", "after");
            }
        }
        assertThat(Files.exists(workDir)).as("temporary folder deleted on close after a restart").isFalse();
    }

    @Test
    void closingAStoppedBrokerOnlyDeletesItsFolder() {
        EmbeddedKafka kafka = EmbeddedKafka.startTemporary(new Topics("stopped."), 1);
        Path workDir = kafka.workDir();
        kafka.stop();
        kafka.close();
        assertThat(Files.exists(workDir)).isFalse();
    }

    private static List<String> readValues(TopicReader reader, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> values = List.of();
        while (values.size() < expected && System.nanoTime() < deadline) {
            values = reader.poll().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        }
        return values;
    }
}
