package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedKafkaTest {

    @Test
    void startsARealBrokerWithEveryTopicAndReleasesItsPortAndFolder() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.startTemporary(Topics.DEFAULT, 2);
        String servers = kafka.bootstrapServers();
        Path logDir = kafka.workDir();
        try (kafka; Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            assertThat(servers).startsWith("127.0.0.1:");
            Map<String, TopicDescription> described = admin.describeTopics(Topics.DEFAULT.all()).allTopicNames().get();
            assertThat(described.keySet()).containsExactlyInAnyOrderElementsOf(Topics.DEFAULT.all());
            assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(2));
            String cleanup = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC,
                    Topics.DEFAULT.placements()))).all().get().values().iterator().next().get("cleanup.policy").value();
            assertThat(cleanup).isEqualTo("compact");
            for (String beats : List.of(Topics.DEFAULT.hostHeartbeats(), Topics.DEFAULT.heartbeats())) {
                var config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, beats)))
                        .all().get().values().iterator().next();
                assertThat(config.get("message.timestamp.type").value()).as(beats).isEqualTo("LogAppendTime");
                assertThat(config.get("retention.ms").value()).as(beats).isEqualTo("600000");
            }
            assertThat(roundTrip(servers, Topics.DEFAULT.guestLog())).isEqualTo("hello");
            String stamped = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC,
                    Topics.DEFAULT.guestLog()))).all().get().values().iterator().next().get("message.timestamp.type").value();
            assertThat(stamped).as("the guest log's timestamps are the broker's: the decider's clock").isEqualTo("LogAppendTime");
            long before = System.currentTimeMillis();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers), new StringSerializer(), new StringSerializer())) {
                long appended = producer.send(new ProducerRecord<>(Topics.DEFAULT.guestLog(), 0, 1_000L, "g1", "an old time"))
                        .get().timestamp();
                assertThat(appended).as("a producer's timestamp is replaced by the broker's").isBetween(before,
                        System.currentTimeMillis());
            }
            assertThat(TopicCreator.create(servers, Topics.DEFAULT, 2, (short) 1)).as("second creation is a no-op").isEmpty();
        }
        int port = Integer.parseInt(servers.substring(servers.indexOf(':') + 1));
        assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 500))
                .as("port released after close").isInstanceOf(java.io.IOException.class);
        assertThat(Files.exists(logDir)).as("temporary log folder deleted").isFalse();
    }

    @Test
    void theBrokerIsSetAsFleetSettingsSayAndABenchmarksSettingsGoOverThem() throws Exception {
        try (EmbeddedKafka fleet = EmbeddedKafka.startTemporary(new Topics("set."), 1);
             EmbeddedKafka kafkaDefault = EmbeddedKafka.startTemporary(new Topics("set."), 1,
                     Map.of("add.partitions.to.txn.retry.backoff.ms", "20"))) {
            Map<String, String> set = brokerSettings(fleet.bootstrapServers());
            EmbeddedKafka.FLEET_SETTINGS.forEach((key, value) -> assertThat(set).as(key).containsEntry(key, value));
            assertThat(set).as("a transaction's first write retried soon after a commit (bench txn)")
                    .containsEntry("add.partitions.to.txn.retry.backoff.ms", "2");
            assertThat(brokerSettings(kafkaDefault.bootstrapServers()))
                    .containsEntry("add.partitions.to.txn.retry.backoff.ms", "20")
                    .containsEntry("group.min.session.timeout.ms", EmbeddedKafka.FLEET_SETTINGS.get("group.min.session.timeout.ms"));
        }
    }

    /** The settings node 1 runs with, as the brokers report them. */
    private static Map<String, String> brokerSettings(String servers) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            Map<String, String> settings = new java.util.HashMap<>();
            admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, "1"))).all().get().values()
                    .iterator().next().entries().forEach(entry -> settings.put(entry.name(), entry.value()));
            return settings;
        }
    }

    @Test
    void anExternalBrokerGetsTheTopicsAndIsLeftRunning() throws Exception {
        try (EmbeddedKafka own = EmbeddedKafka.startTemporary(Topics.DEFAULT, 1)) {
            Topics topics = new Topics("ext.");
            EmbeddedKafka external = EmbeddedKafka.external(own.bootstrapServers(), topics, 2);
            try (external; Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, own.bootstrapServers()))) {
                assertThat(external.bootstrapServers()).isEqualTo(own.bootstrapServers());
                assertThat(external.isExternal()).isTrue();
                assertThat(external.brokers()).isEqualTo(1);
                Map<String, TopicDescription> described = admin.describeTopics(topics.all()).allTopicNames().get();
                assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(2));
                assertThat(admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topics.placements())))
                        .all().get().values().iterator().next().get("cleanup.policy").value()).isEqualTo("compact");
                for (org.assertj.core.api.ThrowableAssert.ThrowingCallable ownOnly : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                        external::stop, external::restart, external::logDir, () -> external.halt(1))) {
                    assertThatThrownBy(ownOnly).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("the external broker at " + own.bootstrapServers())
                            .hasMessageContaining("it runs elsewhere, not in this JVM");
                }
            }
            assertThat(own.isRunning()).isTrue();
            assertThat(roundTrip(own.bootstrapServers(), topics.guestLog())).as("still serving after the external one closed")
                    .isEqualTo("hello");
        }
    }

    @Test
    void aTransactionalProducerWorksOnTheSingleNode() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(new Topics("tx."), 1)) {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-tx"), new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx.decisions.v1", "g1", "committed"));
                producer.commitTransaction();
            }
            assertThat(roundTripRead(kafka.bootstrapServers(), "tx.decisions.v1", 1)).containsExactly("committed");
        }
    }

    private static String roundTrip(String servers, String topic) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, "g1", "hello")).get();
        }
        return roundTripRead(servers, topic, 1).get(0);
    }

    private static List<String> roundTripRead(String servers, String topic, int expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            return values;
        }
    }
}
