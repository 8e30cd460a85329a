package io.guestguard.cli;

import io.guestguard.protocol.Durations;
import io.guestguard.protocol.Topics;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Where GuestGuard's topics are and how long to wait for them: the options every subcommand that
 * talks to Kafka shares (mixed in), with the same defaults as the services.
 */
final class KafkaOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka brokers to contact first (default: KAFKA_BOOTSTRAP_SERVERS, else localhost:9092; now ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of GuestGuard's topic names, as the services' guestguard.topic-prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = PositiveDuration.class,
            description = "How long to wait for Kafka to answer, then give up with exit code 2 (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    Topics topics() {
        return new Topics(topicPrefix);
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
