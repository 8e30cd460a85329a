package io.guestguard.protocol.kafka;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Durations;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.trust.Signer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * Appends an operator's facts, keyed by guest, to {@code guest-log.v1} (or, for the keys, to the keys
 * topic), one at a time, each waited for until every in-sync replica has it ({@code acks=all},
 * idempotent), so a request returns only once its record is durable and in the guest's order. The
 * CLI and the console both write through it, so an operator's request is the same record whichever
 * asked; neither writes a command: what follows from a fact is the decider's to decide.
 *
 * <p>Opening first asks the cluster whether the topic exists: a producer waits for metadata the same
 * way whether the brokers are down or the topic is missing, and the two need different fixes.
 * Every wait is bounded by the given timeout, so an unreachable cluster is an error, not a hang.
 * Thread-safe (one producer), so a long-lived writer such as the console's is shared.
 */
public final class OperatorLog implements AutoCloseable {

    /**
     * How the writer's user gives the settings that its messages tell them to check: the CLI's options
     * or a service's settings.
     *
     * @param servers        where the bootstrap servers are given, e.g. {@code --bootstrap-servers}
     * @param serversDefault where they come from when not given, e.g. {@code KAFKA_BOOTSTRAP_SERVERS}, or empty
     * @param topicPrefix    where the topic prefix is given, e.g. {@code --topic-prefix}
     */
    public record Wording(String servers, String serversDefault, String topicPrefix) {
    }

    private final String bootstrapServers;
    private final String topic;
    private final Duration timeout;
    private final Signer signer;
    private final KafkaProducer<String, byte[]> producer;

    private OperatorLog(String bootstrapServers, String topic, Duration timeout, Signer signer,
                        KafkaProducer<String, byte[]> producer) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.timeout = timeout;
        this.signer = signer;
        this.producer = producer;
    }

    /**
     * Connects to the cluster and checks that {@code topic} exists.
     *
     * @param clientId the Kafka client id, so the broker's logs and quotas tell the writers apart
     * @throws KafkaUnavailableException with the reason and the fix, when the cluster cannot be
     *                                   reached in time or has no such topic
     */
    public static OperatorLog open(KafkaClientSettings settings, String topic, Duration timeout, Signer signer,
                                   String clientId, Wording wording) throws KafkaUnavailableException {
        String servers = settings.bootstrapServers();
        String timeoutMs = Long.toString(Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try {
            requireTopic(settings, topic, timeout, timeoutMs, clientId, wording);
            KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.with(Map.of(
                    ProducerConfig.CLIENT_ID_CONFIG, clientId,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                    ProducerConfig.LINGER_MS_CONFIG, "0",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs)),
                    new StringSerializer(), new ByteArraySerializer());
            return new OperatorLog(servers, topic, timeout, signer, producer);
        } catch (KafkaException e) {
            // Configuration the client refuses before any connection, e.g. no resolvable host; the
            // innermost cause says which ("Failed to create new KafkaAdminClient" does not).
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new KafkaUnavailableException("cannot use Kafka at '" + servers + "': " + cause.getMessage()
                    + "; give " + wording.servers() + " as HOST:PORT[,HOST:PORT...] of reachable brokers");
        }
    }

    /** {@code /operator/<operator>}: who asked, as a CloudEvents source (a URI reference, hence encoded). */
    public static String source(String operator) {
        return "/operator/" + URLEncoder.encode(operator, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The topic written to, with its prefix. */
    public String topic() {
        return topic;
    }

    /**
     * Writes {@code event} keyed by its guest and waits for the acknowledgement.
     *
     * @return where the record landed
     * @throws KafkaUnavailableException when the cluster did not acknowledge within the timeout
     */
    public RecordMetadata append(CloudEvent<?> event) throws KafkaUnavailableException {
        return append(event.key(), event);
    }

    /**
     * Writes {@code fact} about {@code guest} as {@code operator} says it (a new id, this moment, the
     * operator's source, a new trace: an operator's request starts a chain) and waits for the acknowledgement.
     */
    public Written tell(String guest, Fact fact, String operator) throws KafkaUnavailableException {
        CloudEvent<Fact> event = CloudEvent.ofGuest(UUID.randomUUID().toString(), source(operator), Instant.now(), guest, fact)
                .withTraceparent(Traceparent.start());
        return new Written(event.id(), append(event));
    }

    /**
     * A fact written: its event id (what decisions name among their causes) and where it landed.
     */
    public record Written(String id, RecordMetadata where) {
    }

    /** As {@link #append(CloudEvent)}, keyed by {@code key}. */
    public RecordMetadata append(String key, CloudEvent<?> event) throws KafkaUnavailableException {
        ProducerRecord<String, byte[]> record = KafkaBinding.record(topic, key, signer.encode(event));
        try {
            return producer.send(record).get();
        } catch (ExecutionException e) {
            throw notAcknowledged(e.getCause());
        } catch (KafkaException e) {
            throw notAcknowledged(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while waiting for Kafka at " + bootstrapServers
                    + " to acknowledge the record on " + topic + "; it may or may not have been written");
        }
    }

    @Override
    public void close() {
        producer.close(timeout);
    }

    private KafkaUnavailableException notAcknowledged(Throwable cause) {
        return new KafkaUnavailableException("Kafka at " + bootstrapServers + " did not acknowledge the record on "
                + topic + " within " + Durations.format(timeout.toMillis()) + " (" + cause.getMessage()
                + "); check that the brokers are up and that this user may write to " + topic);
    }

    private static void requireTopic(KafkaClientSettings settings, String topic, Duration timeout, String timeoutMs,
                                     String clientId, Wording wording) throws KafkaUnavailableException {
        String servers = settings.bootstrapServers();
        Admin admin = Admin.create(settings.with(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin",
                // Both, or the client raises the API timeout to the 30 s request timeout.
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs)));
        try {
            try {
                admin.describeTopics(List.of(topic)).allTopicNames().get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof UnknownTopicOrPartitionException) {
                    throw new KafkaUnavailableException("topic " + topic + " does not exist on Kafka at " + servers
                            + "; create GuestGuard's topics first (guestguard topics create --bootstrap-servers " + servers
                            + ", see 'Running against an existing Kafka cluster' in README.md), or check " + wording.topicPrefix());
                }
                if (cause instanceof TimeoutException) {
                    throw new KafkaUnavailableException("cannot reach Kafka at " + servers + " within "
                            + Durations.format(timeout.toMillis()) + "; check " + wording.servers()
                            + (wording.serversDefault().isEmpty() ? "" : " (default: " + wording.serversDefault() + ")") + " and that a broker is running there");
                }
                if (!(cause instanceof AuthorizationException)) {
                    throw new KafkaUnavailableException("Kafka at " + servers + " cannot describe " + topic + " ("
                            + cause.getMessage() + "); check the cluster's health");
                }
                // May write but not describe: let the write itself tell.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaUnavailableException("interrupted while asking Kafka at " + servers + " for " + topic);
            }
        } finally {
            admin.close(Duration.ZERO); // nothing is pending: the one call has finished
        }
    }

    /** The cluster cannot take the record; the message says why and what to do. */
    public static final class KafkaUnavailableException extends Exception {
        public KafkaUnavailableException(String message) {
            super(message);
        }
    }
}
