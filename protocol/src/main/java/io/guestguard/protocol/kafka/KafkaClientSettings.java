package io.guestguard.protocol.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * How one GuestGuard program reaches Kafka: the bootstrap servers and the transport security every
 * one of its clients (producers, consumers, admins, Kafka Streams) is built with, read the same way
 * everywhere from Kafka's own client property names, so one table documents them all
 * (docs/operations.md, "Kafka settings").
 *
 * <p>Beyond Kafka's names it takes {@code sasl.username} with {@code sasl.password.file} (or
 * {@code sasl.password}, e.g. from the environment) and renders the SCRAM-SHA-512 JAAS line from
 * them, and a {@code .password.file} twin of each TLS password, so no secret has to be written on a
 * command line or in a world-readable settings file. Settings that contradict the protocol (SASL
 * settings on a TLS-only connection, TLS stores on a plaintext one) are refused rather than ignored:
 * a forgotten {@code security.protocol} would otherwise send credentials nowhere and data in clear.
 * Other {@code kafka.*} client settings pass through untouched.
 */
public final class KafkaClientSettings {

    /** Kafka's {@code security.protocol}. */
    public enum Protocol {
        PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL;

        public boolean sasl() {
            return this == SASL_PLAINTEXT || this == SASL_SSL;
        }

        public boolean tls() {
            return this == SSL || this == SASL_SSL;
        }
    }

    /** The only SASL mechanism GuestGuard takes: passwords salted and hashed on the broker, never sent. */
    public static final String SCRAM = "SCRAM-SHA-512";
    private static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
    /** GuestGuard's own keys: read here, never handed to a Kafka client (which would warn of unknown settings). */
    private static final Set<String> OWN = Set.of("sasl.username", "sasl.password", "sasl.password.file",
            "ssl.truststore.password.file", "ssl.keystore.password.file", "ssl.key.password.file");
    private static final String PREFIX = "kafka.";
    /** TLS settings a connection without TLS would ignore: the stores and their passwords' files. */
    private static final List<String> TLS_STORES = List.of("ssl.truststore.location", "ssl.truststore.password.file",
            "ssl.keystore.location", "ssl.keystore.password.file", "ssl.key.password.file");

    private final Protocol protocol;
    private final Map<String, Object> properties;

    private KafkaClientSettings(Protocol protocol, Map<String, Object> properties) {
        this.protocol = protocol;
        this.properties = Map.copyOf(properties);
    }

    /** No security: what the local fleet and most tests use. */
    public static KafkaClientSettings plaintext(String bootstrapServers) {
        return new KafkaClientSettings(Protocol.PLAINTEXT, Map.of("bootstrap.servers", bootstrapServers));
    }

    /**
     * Reads and checks {@code settings} (Kafka client property names, without a prefix).
     *
     * @param source what an operator edits, as problems name it (a file, or "configuration")
     * @param field  how that source spells a key, e.g. {@code kafka.} + key, or a guest file's field;
     *               {@code null} for a password the source cannot hold itself (a guest file names only files)
     * @throws IllegalArgumentException naming every problem as {@code SOURCE: FIELD: what is wrong; the fix}
     */
    public static KafkaClientSettings read(Map<String, String> settings, String source, UnaryOperator<String> field) {
        Reading reading = new Reading(settings, source, field, true);
        KafkaClientSettings read = reading.read();
        if (!reading.problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", reading.problems));
        }
        return read;
    }

    /**
     * Reads a service's {@code kafka.*} settings (as Quarkus hands them to its own Kafka clients, the
     * environment's {@code KAFKA_SASL_PASSWORD_FILE} being {@code kafka.sasl.password.file}).
     *
     * @param names every setting's name; those not under {@code kafka.} are skipped
     */
    public static KafkaClientSettings fromConfiguration(Iterable<String> names, Function<String, Optional<String>> value) {
        Map<String, String> settings = new TreeMap<>();
        for (String name : names) {
            String key = name.toLowerCase(Locale.ROOT).replace('_', '.');
            if (key.startsWith(PREFIX) && !key.startsWith(PREFIX + "ui")) {
                value.apply(name).ifPresent(v -> settings.put(key.substring(PREFIX.length()), v));
            }
        }
        return read(settings, "configuration", key -> PREFIX + key);
    }

    /**
     * The problems of {@code settings}' security alone, for a file checked before the bootstrap
     * servers are known (a guest file whose cluster the service's settings may name).
     */
    public static List<String> securityProblems(Map<String, String> settings, String source, UnaryOperator<String> field) {
        Reading reading = new Reading(settings, source, field, false);
        reading.read();
        return List.copyOf(reading.problems);
    }

    public String bootstrapServers() {
        return (String) properties.get("bootstrap.servers");
    }

    public Protocol protocol() {
        return protocol;
    }

    /** The client properties: bootstrap servers, security, and the other settings given. */
    public Map<String, Object> properties() {
        return properties;
    }

    /** A client's properties: {@code own} (client id, timeouts...) over {@link #properties()}. */
    public Map<String, Object> with(Map<String, ?> own) {
        Map<String, Object> all = new LinkedHashMap<>(properties);
        all.putAll(own);
        return all;
    }

    /** The same settings with other bootstrap servers (e.g. an operator's override of a guest file's). */
    public KafkaClientSettings withBootstrapServers(String servers) {
        Map<String, Object> all = new LinkedHashMap<>(properties);
        all.put("bootstrap.servers", servers);
        return new KafkaClientSettings(protocol, all);
    }

    /** One reading of a settings map, collecting every problem. */
    private static final class Reading {
        private final Map<String, String> settings;
        private final String source;
        private final UnaryOperator<String> field;
        private final boolean requireBootstrap;
        private final List<String> problems = new ArrayList<>();

        Reading(Map<String, String> settings, String source, UnaryOperator<String> field, boolean requireBootstrap) {
            this.settings = settings;
            this.requireBootstrap = requireBootstrap;
            this.source = source;
            this.field = field;
        }

        KafkaClientSettings read() {
            Map<String, Object> out = new LinkedHashMap<>();
            settings.forEach((key, value) -> {
                if (!OWN.contains(key) && value != null && !value.isBlank()) {
                    out.put(key, value.trim());
                }
            });
            if (requireBootstrap && value("bootstrap.servers") == null) {
                problem("bootstrap.servers", "missing; name the Kafka cluster as HOST:PORT[,HOST:PORT...]");
            }
            Protocol protocol = protocol();
            out.put("security.protocol", protocol.name());
            if (protocol.sasl()) {
                scram(out);
            } else {
                refuse(List.of("sasl.mechanism", "sasl.jaas.config", "sasl.username", "sasl.password", "sasl.password.file"),
                        protocol, "SASL_SSL");
            }
            if (protocol.tls()) {
                store("ssl.truststore", false, out);
                store("ssl.keystore", true, out);
                if (value("ssl.keystore.location") != null) {
                    password("ssl.key.password", false, out);
                } else {
                    // A key password without its keystore: the client would connect with no certificate, and a
                    // mutual-TLS listener refuse it with no word of why.
                    for (String key : List.of("ssl.key.password", "ssl.key.password.file")) {
                        if (value(key) != null) {
                            problem(key, "set without " + field.apply("ssl.keystore.location")
                                    + "; name the keystore holding this client's certificate and key, or remove it");
                        }
                    }
                }
            } else {
                boolean sasl = protocol.sasl() || value("sasl.username") != null || value("sasl.jaas.config") != null;
                refuse(TLS_STORES, protocol, sasl ? "SASL_SSL" : "SSL");
            }
            return new KafkaClientSettings(protocol, out);
        }

        private Protocol protocol() {
            String given = value("security.protocol");
            if (given == null) {
                return Protocol.PLAINTEXT;
            }
            try {
                return Protocol.valueOf(given.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problem("security.protocol", "'" + given + "' is not a security protocol; write PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
                return Protocol.PLAINTEXT;
            }
        }

        /** SCRAM-SHA-512 from a user name and a password, unless a JAAS line is given whole. */
        private void scram(Map<String, Object> out) {
            String mechanism = value("sasl.mechanism");
            if (mechanism != null && !mechanism.equals(SCRAM)) {
                problem("sasl.mechanism", "'" + mechanism + "' is not supported; write " + SCRAM + " (or leave it out)");
            }
            out.put("sasl.mechanism", SCRAM);
            if (value("sasl.jaas.config") != null) {
                return;
            }
            String user = value("sasl.username");
            if (user == null) {
                problem("sasl.username", "missing; security.protocol " + value("security.protocol")
                        + " needs the SCRAM user's name (and " + field.apply("sasl.password.file") + ")");
            } else if (user.contains("\"") || user.contains("\\")) {
                problem("sasl.username", "must not contain '\"' or '\\'; use the user's plain name");
            }
            String password = password("sasl.password", true, null);
            if (user != null && password != null) {
                out.put("sasl.jaas.config", SCRAM_MODULE + " required username=\"" + user + "\" password=\""
                        + password.replace("\\", "\\\\").replace("\"", "\\\"") + "\";");
            }
        }

        /**
         * A store's location (which must be a readable file) and its password. A password file without
         * its store is a problem: a forgotten or misspelt keystore would otherwise connect with no client
         * certificate, and a mutual-TLS listener refuse the handshake with no word of why.
         */
        private void store(String prefix, boolean optional, Map<String, Object> out) {
            String location = value(prefix + ".location");
            if (location == null) {
                if (value(prefix + ".password.file") != null) {
                    problem(prefix + ".location", "missing, but " + field.apply(prefix + ".password.file")
                            + " is set; name the " + (optional ? "keystore (this client's certificate and key, for mutual TLS)"
                            : "truststore") + " the password is for, or remove the password file");
                }
                return;
            }
            if (!Files.isReadable(Path.of(location))) {
                problem(prefix + ".location", location + " is not a readable file; point it at the "
                        + (prefix.endsWith("truststore") ? "truststore (PKCS12 or JKS) holding the cluster's CA certificate"
                        : "keystore (PKCS12 or JKS) holding this client's certificate and key, for mutual TLS"));
            }
            password(prefix + ".password", !prefix.endsWith("truststore"), out);
        }

        /**
         * {@code key}'s value, or the content of {@code key.file}; put into {@code out} when not
         * {@code null}. A required password missing is a problem.
         */
        private String password(String key, boolean required, Map<String, Object> out) {
            String value = value(key);
            String file = value(key + ".file");
            if (value != null && file != null) {
                problem(key + ".file", "set together with " + field.apply(key) + "; keep one (the file keeps it off command lines)");
            }
            if (value == null && file != null) {
                try {
                    value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
                } catch (IOException | RuntimeException e) {
                    problem(key + ".file", "cannot read " + file + " (" + e.getMessage() + "); point it at a file that holds only the password");
                    return null;
                }
                if (value.isEmpty()) {
                    problem(key + ".file", file + " is empty; write the password into it");
                    return null;
                }
            }
            if (value == null && required) {
                String inline = field.apply(key);
                problem(key + ".file", "missing; name a file that holds the password"
                        + (inline == null ? "" : " (or set " + inline + " in the environment)"));
            }
            if (value != null && out != null) {
                out.put(key, value);
            }
            return value;
        }

        private void refuse(List<String> keys, Protocol protocol, String needed) {
            for (String key : keys) {
                if (value(key) != null) {
                    problem(key, "is set but security.protocol is " + protocol + ", which does not use it; set "
                            + field.apply("security.protocol") + "=" + needed + ", or remove it");
                }
            }
        }

        private String value(String key) {
            String value = settings.get(key);
            return value == null || value.isBlank() ? null : value.trim();
        }

        private void problem(String key, String message) {
            problems.add(source + ": " + field.apply(key) + ": " + message);
        }
    }
}
