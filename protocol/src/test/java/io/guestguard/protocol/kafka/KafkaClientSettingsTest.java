package io.guestguard.protocol.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaClientSettingsTest {

    private static KafkaClientSettings read(Map<String, String> settings) {
        return KafkaClientSettings.read(settings, "configuration", key -> "kafka." + key);
    }

    @Test
    void plaintextByDefaultWithOtherSettingsPassedThrough() {
        KafkaClientSettings settings = read(Map.of("bootstrap.servers", "b1:9092", "client.rack", "r1"));

        assertThat(settings.protocol()).isEqualTo(KafkaClientSettings.Protocol.PLAINTEXT);
        assertThat(settings.with(Map.of("client.id", "x"))).containsEntry("bootstrap.servers", "b1:9092")
                .containsEntry("security.protocol", "PLAINTEXT").containsEntry("client.rack", "r1").containsEntry("client.id", "x");
    }

    @Test
    void scramOverTlsRendersTheJaasLineFromAPasswordFileAndKeepsOwnKeysFromTheClient(@TempDir Path dir) throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "s\"cret\n");
        Path trust = Files.writeString(dir.resolve("trust.p12"), "x");
        Path keys = Files.writeString(dir.resolve("keys.p12"), "x");
        Path keysPassword = Files.writeString(dir.resolve("keys.password"), "changeit");

        Map<String, Object> properties = read(Map.of("bootstrap.servers", "b1:9093", "security.protocol", "sasl_ssl",
                "sasl.username", "guest-g1", "sasl.password.file", password.toString(),
                "ssl.truststore.location", trust.toString(), "ssl.keystore.location", keys.toString(),
                "ssl.keystore.password.file", keysPassword.toString())).properties();

        assertThat(properties).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"guest-g1\" password=\"s\\\"cret\";")
                .containsEntry("ssl.keystore.password", "changeit")
                .doesNotContainKeys("sasl.username", "sasl.password.file", "ssl.keystore.password.file");
    }

    @Test
    void everyProblemNamesItsFieldAndTheFix(@TempDir Path dir) {
        assertThatThrownBy(() -> read(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "ssl.truststore.location", dir.resolve("missing.p12").toString())))
                .hasMessageContaining("configuration: kafka.bootstrap.servers: missing; name the Kafka cluster")
                .hasMessageContaining("configuration: kafka.sasl.mechanism: 'PLAIN' is not supported; write SCRAM-SHA-512")
                .hasMessageContaining("configuration: kafka.sasl.username: missing; security.protocol SASL_SSL needs")
                .hasMessageContaining("configuration: kafka.sasl.password.file: missing; name a file that holds the password")
                .hasMessageContaining("configuration: kafka.ssl.truststore.location: " + dir.resolve("missing.p12")
                        + " is not a readable file; point it at the truststore");
    }

    @Test
    void mutualTlsTakesTheKeystorePasswordFromItsFileAndRefusesAPasswordWithoutItsKeystore(@TempDir Path dir) throws Exception {
        Path keys = Files.writeString(dir.resolve("g1.p12"), "x");
        Path keysPassword = Files.writeString(dir.resolve("g1.p12.password"), "changeit\n");

        Map<String, Object> properties = read(Map.of("bootstrap.servers", "b1:9094", "security.protocol", "SSL",
                "ssl.keystore.location", keys.toString(), "ssl.keystore.password.file", keysPassword.toString())).properties();

        assertThat(properties).containsEntry("security.protocol", "SSL").containsEntry("ssl.keystore.location", keys.toString())
                .containsEntry("ssl.keystore.password", "changeit").doesNotContainKeys("ssl.keystore.password.file", "sasl.mechanism");
        assertThatThrownBy(() -> read(Map.of("bootstrap.servers", "b1:9094", "security.protocol", "SSL",
                "ssl.keystore.location", keys.toString())))
                .hasMessage("configuration: kafka.ssl.keystore.password.file: missing; name a file that holds the password "
                        + "(or set kafka.ssl.keystore.password in the environment)");
        assertThatThrownBy(() -> read(Map.of("bootstrap.servers", "b1:9094", "security.protocol", "SSL",
                "ssl.keystore.password.file", keysPassword.toString(), "ssl.key.password.file", keysPassword.toString())))
                .hasMessageContaining("configuration: kafka.ssl.keystore.location: missing, but kafka.ssl.keystore.password.file is set; "
                        + "name the keystore (this client's certificate and key, for mutual TLS) the password is for")
                .hasMessageContaining("configuration: kafka.ssl.key.password.file: set without kafka.ssl.keystore.location");
        assertThatThrownBy(() -> read(Map.of("bootstrap.servers", "b1:9094",
                "ssl.keystore.password.file", keysPassword.toString())))
                .hasMessage("configuration: kafka.ssl.keystore.password.file: is set but security.protocol is PLAINTEXT, "
                        + "which does not use it; set kafka.security.protocol=SSL, or remove it");
    }

    @Test
    void securitySettingsTheProtocolWouldIgnoreAreRefused() {
        assertThatThrownBy(() -> read(Map.of("bootstrap.servers", "b1:9092", "sasl.username", "g1",
                "ssl.truststore.location", "/etc/ca.p12")))
                .hasMessageContaining("kafka.sasl.username: is set but security.protocol is PLAINTEXT, which does not use it; "
                        + "set kafka.security.protocol=SASL_SSL, or remove it")
                .hasMessageContaining("kafka.ssl.truststore.location: is set but security.protocol is PLAINTEXT, which does not use it; "
                        + "set kafka.security.protocol=SASL_SSL");
        assertThatThrownBy(() -> read(Map.of("bootstrap.servers", "b1:9092", "security.protocol", "TLS")))
                .hasMessage("configuration: kafka.security.protocol: 'TLS' is not a security protocol; write PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
    }

    @Test
    void aServiceReadsItsKafkaSettingsFromPropertiesAndTheEnvironmentAlike() {
        Map<String, String> config = Map.of("kafka.bootstrap.servers", "b1:9092", "KAFKA_SECURITY_PROTOCOL", "SSL",
                "kafka-streams.commit.interval.ms", "10", "guestguard.topic-prefix", "x.");

        KafkaClientSettings settings = KafkaClientSettings.fromConfiguration(config.keySet(), name -> java.util.Optional.ofNullable(config.get(name)));

        assertThat(settings.protocol()).isEqualTo(KafkaClientSettings.Protocol.SSL);
        assertThat(settings.properties()).containsOnlyKeys("bootstrap.servers", "security.protocol");
    }
}
