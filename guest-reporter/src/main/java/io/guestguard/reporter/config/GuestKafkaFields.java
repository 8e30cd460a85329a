package io.guestguard.reporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.files.FieldReader;
import io.guestguard.protocol.kafka.KafkaClientSettings;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The guest file's {@code kafka:} security fields, in the file's own spelling, and the Kafka client
 * property each one is ({@link KafkaClientSettings} reads and checks them):
 *
 * <pre>
 * kafka:
 *   bootstrap_servers: broker1:9093
 *   security_protocol: SASL_SSL          # PLAINTEXT (default), SSL, SASL_PLAINTEXT, SASL_SSL
 *   sasl: {username: guest-g1, password_file: /etc/guestguard/kafka.password}
 *   tls: {truststore: /etc/guestguard/ca.p12, keystore: g1.p12, keystore_password_file: g1.p12.password}
 * </pre>
 *
 * Paths are relative to the guest file's folder, as {@code state_dir} is.
 */
final class GuestKafkaFields {

    /** Field of the guest file, by Kafka client property. */
    private static final Map<String, String> FIELDS = Map.of(
            "bootstrap.servers", "kafka.bootstrap_servers",
            "security.protocol", "kafka.security_protocol",
            "sasl.mechanism", "kafka.sasl.mechanism",
            "sasl.username", "kafka.sasl.username",
            "sasl.password.file", "kafka.sasl.password_file",
            "ssl.truststore.location", "kafka.tls.truststore",
            "ssl.truststore.password.file", "kafka.tls.truststore_password_file",
            "ssl.keystore.location", "kafka.tls.keystore",
            "ssl.keystore.password.file", "kafka.tls.keystore_password_file",
            "ssl.key.password.file", "kafka.tls.key_password_file");
    private static final List<String> PATHS = List.of("sasl.password.file", "ssl.truststore.location",
            "ssl.truststore.password.file", "ssl.keystore.location", "ssl.keystore.password.file", "ssl.key.password.file");

    private static final List<String> INLINE_PASSWORDS = List.of("sasl.password", "ssl.truststore.password",
            "ssl.keystore.password", "ssl.key.password");

    private GuestKafkaFields() {
    }

    /**
     * How the guest file spells {@code property}, for problems; {@code null} for a password itself, which
     * a guest file never holds (only the file it is in), so no problem offers it as the fix.
     */
    static String field(String property) {
        if (INLINE_PASSWORDS.contains(property)) {
            return null;
        }
        return FIELDS.getOrDefault(property, "kafka." + property);
    }

    /** Reads the security fields of {@code kafka} (a mapping) into Kafka property names, checked but for the servers. */
    static Map<String, String> read(JsonNode kafka, Path file, FieldReader fields) {
        Map<String, String> settings = new LinkedHashMap<>();
        fields.unknownFields(kafka, List.of("bootstrap_servers", "security_protocol", "sasl", "tls"), "kafka.");
        FIELDS.forEach((property, field) -> {
            if (property.equals("bootstrap.servers")) {
                return;
            }
            JsonNode node = kafka;
            String[] path = field.substring("kafka.".length()).split("\\.");
            for (int i = 0; i < path.length - 1 && node != null; i++) {
                node = node.get(path[i]);
            }
            String text = node == null || !node.isObject() ? null : fields.optionalText(node.get(path[path.length - 1]), field,
                    "see docs/operations.md, 'Kafka settings'");
            if (text != null) {
                settings.put(property, PATHS.contains(property) ? file.toAbsolutePath().getParent().resolve(text).toString() : text);
            }
        });
        for (String group : List.of("sasl", "tls")) {
            JsonNode node = kafka.get(group);
            if (node != null && fields.mapping(node, "kafka." + group, "see docs/operations.md, 'Kafka settings'") != null) {
                fields.unknownFields(node, FIELDS.values().stream().filter(f -> f.startsWith("kafka." + group + "."))
                        .map(f -> f.substring(("kafka." + group + ".").length())).sorted().toList(), "kafka." + group + ".");
            }
        }
        KafkaClientSettings.securityProblems(settings, file.toString(), GuestKafkaFields::field)
                .forEach(fields.problems()::add);
        return settings;
    }
}
