package io.guestguard.bench;

import io.guestguard.policy.engine.streams.DecisionTopology;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The policy engine's Kafka Streams settings, read from the {@code application.properties} packaged
 * with its topology ({@code kafka-streams.*}, which Quarkus hands to Kafka Streams as they are), so
 * that the benchmarks run the topology as the engine does and follow any change to those settings.
 */
final class EngineSettings {

    private static final String PREFIX = "kafka-streams.";

    private EngineSettings() {
    }

    /** The engine's {@code kafka-streams.*} settings without the prefix; the state folder is the caller's. */
    static Map<String, String> kafkaStreams() {
        URL origin = DecisionTopology.class.getProtectionDomain().getCodeSource().getLocation();
        // Only the engine's own jar (or classes folder): other application.properties on the class path are not its.
        try (URLClassLoader engineOnly = new URLClassLoader(new URL[]{origin}, null);
             InputStream in = engineOnly.getResourceAsStream("application.properties")) {
            if (in == null) {
                throw new IllegalStateException("no application.properties beside DecisionTopology in " + origin);
            }
            Properties properties = new Properties();
            properties.load(in);
            Map<String, String> settings = new TreeMap<>();
            for (String key : properties.stringPropertyNames()) {
                if (key.startsWith(PREFIX) && !key.equals(PREFIX + StreamsConfig.STATE_DIR_CONFIG)) {
                    settings.put(key.substring(PREFIX.length()), resolve(key, properties));
                }
            }
            return settings;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the engine's application.properties from " + origin, e);
        }
    }

    /**
     * The value of {@code key}, with each {@code ${name}} in it replaced by the value of {@code name} in
     * the same file (as Quarkus does, e.g. {@code ${guestguard.topic-prefix}}); a name the file does not
     * set is a Quarkus expression the benchmarks cannot resolve.
     */
    private static String resolve(String key, Properties properties) {
        String value = properties.getProperty(key);
        java.util.regex.Matcher expression = java.util.regex.Pattern.compile("\\$\\{([^}]+)}").matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (expression.find()) {
            String named = properties.getProperty(expression.group(1));
            if (named == null || named.contains("${")) {
                throw new IllegalStateException("the engine's " + key + " = " + value
                        + " uses a Quarkus expression the benchmarks cannot resolve");
            }
            expression.appendReplacement(resolved, java.util.regex.Matcher.quoteReplacement(named));
        }
        return expression.appendTail(resolved).toString();
    }

    /**
     * Kafka Streams properties for the engine's topology: the engine's settings, then this run's
     * broker, application id and state folder, then {@code overrides}.
     */
    static Properties streams(String bootstrapServers, String applicationId, Path stateDir, Map<String, String> overrides) {
        Properties props = new Properties();
        props.putAll(kafkaStreams());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        // Marks when the topology gets its first records, to time processing without the start-up.
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG), FirstPollInterceptor.class.getName());
        props.putAll(overrides);
        return props;
    }

    /** The engine's settings in one line, for the report. */
    static String describe() {
        return String.join(", ", kafkaStreams().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }
}
