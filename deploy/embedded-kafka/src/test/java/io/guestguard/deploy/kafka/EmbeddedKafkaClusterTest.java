package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 19, point 1: three nodes in one KRaft quorum, every topic on all three with two in sync
 * needed; the leader of a partition halted abruptly, writes acknowledged by all in-sync replicas go on
 * and are all read back, and the node comes back on its port with its log and catches up.
 */
class EmbeddedKafkaClusterTest {

    private static final Topics TOPICS = new Topics("cluster.");

    @Test
    void aHaltedLeaderLosesNoAcknowledgedRecordAndComesBackInSync(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startCluster(dir.resolve("kafka"), 3, TOPICS, 3, null);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all",
                     ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cluster-test",
                     ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000"), new StringSerializer(), new StringSerializer())) {
            assertThat(kafka.brokers()).isEqualTo(3);
            assertThat(kafka.bootstrapServers().split(",")).hasSize(3);
            // A transaction brings Kafka's transaction log into being, replicated as the rest.
            producer.initTransactions();
            List<String> written = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                write(producer, "before-" + i, written);
            }
            assertReplicatedOnThreeWithTwoInSync(admin);

            int leader = kafka.leaders(TOPICS.guestLog()).get(0);
            kafka.halt(leader);
            assertThat(kafka.isRunning(leader)).isFalse();
            assertThat(kafka.isRunning()).isFalse();
            String halted = kafka.bootstrapServers(leader);
            assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1",
                    Integer.parseInt(halted.substring(halted.indexOf(':') + 1))), 500))
                    .as("the halted node refuses connections").isInstanceOf(IOException.class);
            // Acknowledged by the two left once the controller has fenced the silent node.
            for (int i = 0; i < 20; i++) {
                write(producer, "during-" + i, written);
            }
            assertThat(kafka.leaders(TOPICS.guestLog()).get(0)).as("partition 0's new leader").isNotIn(leader, -1);
            assertThat(readAll(kafka, "reader-during", written.size())).containsExactlyElementsOf(written);
            assertThatThrownBy(() -> kafka.halt(leader)).isInstanceOf(IllegalStateException.class);

            kafka.restart(leader);
            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.bootstrapServers(leader)).isEqualTo(halted);
            assertThat(Files.exists(dir.resolve("kafka/node-" + leader + "/meta.properties"))).isTrue();
            // Back in sync: with another node halted, the restarted one holds every record.
            int other = leader % 3 + 1;
            kafka.halt(other);
            for (int i = 0; i < 5; i++) {
                write(producer, "after-" + i, written);
            }
            assertThat(readAll(kafka, "reader-after", written.size())).containsExactlyElementsOf(written);
            kafka.restart(other);
        }
        assertThat(Files.exists(dir.resolve("kafka/node-1"))).as("a cluster given a folder keeps it").isTrue();
    }

    private static void write(KafkaProducer<String, String> producer, String value, List<String> written) throws Exception {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TOPICS.guestLog(), 0, "g1", value));
        producer.commitTransaction();
        written.add(value);
    }

    private static void assertReplicatedOnThreeWithTwoInSync(Admin admin) throws Exception {
        List<String> names = new ArrayList<>(TOPICS.all());
        names.add("__transaction_state");
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions())
                .as(d.name()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3)));
        Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).all().get(30, TimeUnit.SECONDS);
        configs.forEach((resource, config) -> assertThat(config.get("min.insync.replicas").value())
                .as(resource.name()).isEqualTo("2"));
    }

    /** Every committed record of partition 0, read by a consumer group (Kafka's offsets topic, replicated too). */
    private static List<String> readAll(EmbeddedKafka kafka, String group, int expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPICS.guestLog()));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
            }
            consumer.commitSync(Duration.ofSeconds(30));
            return values;
        }
    }
}
