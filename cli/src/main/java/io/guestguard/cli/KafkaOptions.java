package io.guestguard.cli;

import io.guestguard.protocol.Durations;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import io.guestguard.protocol.kafka.OperatorLog;
import io.guestguard.protocol.trust.Signer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.OptionalLong;

/**
 * Where GuestGuard's topics are and how long to wait for them: the options every subcommand that
 * talks to Kafka shares (mixed in), with the same defaults as the services.
 */
final class KafkaOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka brokers to contact first (default: KAFKA_BOOTSTRAP_SERVERS, else localhost:9092; now ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE",
            defaultValue = "${env:GUESTGUARD_KAFKA_CONFIG}",
            description = "Kafka client settings (a properties file, as Kafka's own tools take): security.protocol, "
                    + "sasl.username with sasl.password.file, ssl.truststore.location, ssl.keystore.location... "
                    + "(default: GUESTGUARD_KAFKA_CONFIG; see docs/operations.md, 'Kafka settings').")
    Path commandConfig;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of GuestGuard's topic names, as the services' guestguard.topic-prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = PositiveDuration.class,
            description = "How long to wait for Kafka to answer, then give up with exit code 2 (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /**
     * The bootstrap servers and the security of {@code --command-config}, checked.
     *
     * @throws ParameterException naming the file, the setting and the fix
     */
    KafkaClientSettings settings() {
        Map<String, String> settings = new HashMap<>();
        if (commandConfig != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(commandConfig)) {
                file.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), commandConfig + ": cannot be read (" + e.getMessage()
                        + "); point --command-config at a readable properties file");
            }
            file.stringPropertyNames().forEach(name -> settings.put(name, file.getProperty(name)));
        }
        settings.put("bootstrap.servers", bootstrapServers);
        try {
            return KafkaClientSettings.read(settings, commandConfig == null ? "--bootstrap-servers" : commandConfig.toString(),
                    key -> key.equals("bootstrap.servers") ? "(--bootstrap-servers)" : key);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    Topics topics() {
        return new Topics(topicPrefix);
    }

    /** How this command's messages name the options to check. */
    static final OperatorLog.Wording WORDING = new OperatorLog.Wording(
            "--bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS, else localhost:9092", "--topic-prefix");

    /** The guest log, opened for {@code signer}'s facts (the log the CLI and the console write operators' facts to). */
    OperatorLog openGuestLog(Signer signer) throws OperatorLog.KafkaUnavailableException {
        return openLog(signer, topics().guestLog());
    }

    /** {@code topic}, one of GuestGuard's, opened for {@code signer}'s records. */
    OperatorLog openLog(Signer signer, String topic) throws OperatorLog.KafkaUnavailableException {
        return OperatorLog.open(settings(), topic, timeout, signer, "guestguard-cli", WORDING);
    }

    /** A duration in the package files' syntax, above zero: a zero timeout would fail every call. */
    static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            OptionalLong millis = Durations.parseMillis(value);
            if (millis.isEmpty() || millis.getAsLong() == 0) {
                throw new TypeConversionException("'" + value + "' is not a duration above 0; " + Durations.SYNTAX);
            }
            return Duration.ofMillis(millis.getAsLong());
        }
    }
}
