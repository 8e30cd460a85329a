package io.guestguard.deploy.kafka;

import io.guestguard.protocol.Topics;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The secure broker: SCRAM over TLS, mutual TLS, and nothing allowed that no ACL grants. */
class SecureEmbeddedKafkaTest {

    private static final Topics TOPICS = Topics.DEFAULT;
    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private static BrokerSecurity security;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.startSecure(dir.resolve("kafka"), dir.resolve("security"), TOPICS, 1);
        security = kafka.security().orElseThrow();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void aScramUserWritesWhereAnAclAllowsAndIsRefusedElsewhere() throws Exception {
        Map<String, String> alice = security.scramUser("alice");
        security.allow(List.of(write("User:alice", TOPICS.guestLog())));

        try (KafkaProducer<String, String> producer = producer(alice)) {
            assertThat(producer.send(new ProducerRecord<>(TOPICS.guestLog(), "g1", "x")).get(30, TimeUnit.SECONDS).offset()).isNotNegative();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPICS.hostCommands(), "h1", "x")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        Map<String, String> bob = new HashMap<>(security.scramUser("bob"));
        Path wrong = Files.writeString(dir.resolve("wrong.password"), "not-bobs");
        bob.put("sasl.password.file", wrong.toString());
        security.allow(List.of(write("User:bob", TOPICS.guestLog())));

        try (KafkaProducer<String, String> producer = producer(bob)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPICS.guestLog(), "g1", "x")).get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void aMutualTlsClientIsItsCertificatesSubject() throws Exception {
        Map<String, String> carol = security.tlsClient("carol");
        security.allow(List.of(write("User:CN=carol", TOPICS.heartbeats())));

        try (KafkaProducer<String, String> producer = producer(carol)) {
            assertThat(producer.send(new ProducerRecord<>(TOPICS.heartbeats(), "g1", "x")).get(30, TimeUnit.SECONDS).offset()).isNotNegative();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPICS.guestLog(), "g1", "x")).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        Map<String, String> noCertificate = new HashMap<>(carol);
        noCertificate.remove("ssl.keystore.location");
        noCertificate.remove("ssl.keystore.password.file");
        try (KafkaProducer<String, String> producer = producer(noCertificate)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPICS.heartbeats(), "g1", "x")).get(30, TimeUnit.SECONDS))
                    .as("the listener requires a client certificate").isInstanceOf(Exception.class);
        }
    }

    private static KafkaProducer<String, String> producer(Map<String, String> settings) {
        return new KafkaProducer<>(KafkaClientSettings.read(settings, "test", key -> key).with(Map.of(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000")), new StringSerializer(), new StringSerializer());
    }

    private static AclBinding write(String principal, String topic) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", AclOperation.WRITE, AclPermissionType.ALLOW));
    }
}
