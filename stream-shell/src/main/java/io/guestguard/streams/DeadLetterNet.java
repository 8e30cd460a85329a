package io.guestguard.streams;

import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.DeadLetterCounts;
import io.guestguard.protocol.FreeText;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The net under the stream processors' own guards, registered as Kafka Streams'
 * {@code processing.exception.handler}: a record whose processing threw is written to the
 * dead-letter topic, its original key and value with the exception as its reason, and the stream
 * thread goes on with the next record (Kafka Streams counts it in its {@code dropped-records} metric).
 * The processors dead-letter what they cannot process themselves, inside their transaction; this
 * catches what escapes them, a bug, so that one record cannot stop the service. An exception in a
 * punctuation has no record: it is logged and the thread goes on.
 *
 * <p>Kafka Streams 4.1 gives the handler no way to forward, so the dead letter is written by a producer
 * of its own (one per JVM and cluster, made on first use), outside the stream thread's transaction: a
 * record processed again after a crash may be dead-lettered twice, but is never lost. If the dead
 * letter cannot be written within {@link #WRITE_TIMEOUT}, the answer is FAIL: the record is not
 * committed, the stream thread dies, and the uncaught-exception handler ({@link ThreadReplacer})
 * replaces it, which reads the record again. Each dead letter written is counted by its reason's kind
 * ({@link DeadLetterCounts}, {@code failed}).
 *
 * <p>Settings, besides the cluster's connection settings (passed through to its producer):
 * {@value #TOPIC} (the dead-letter topic) and {@value #SERVICE} (this service's name, for the
 * {@code dead-letter-service} header), both required.
 */
public final class DeadLetterNet implements ProcessingExceptionHandler {

    public static final String TOPIC = "guestguard.dead-letter.topic";
    public static final String SERVICE = "guestguard.service";
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterNet.class);
    /** Producers by connection settings, shared by every task's handler and closed when the JVM exits. */
    private static final Map<Map<String, Object>, Producer<byte[], byte[]>> PRODUCERS = new ConcurrentHashMap<>();

    private Map<String, Object> producerConfig;
    private String topic;
    private String service;

    @Override
    public void configure(Map<String, ?> configs) {
        topic = required(configs, TOPIC);
        service = required(configs, SERVICE);
        Map<String, Object> connection = new HashMap<>();
        configs.forEach((key, value) -> {
            if (ProducerConfig.configNames().contains(key) && !key.startsWith("transaction")) {
                connection.put(key, value);
            }
        });
        connection.put(ProducerConfig.ACKS_CONFIG, "all");
        connection.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        connection.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        connection.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(WRITE_TIMEOUT.toMillis()));
        connection.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(WRITE_TIMEOUT.toMillis() / 2));
        connection.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(WRITE_TIMEOUT.toMillis()));
        connection.remove(ProducerConfig.CLIENT_ID_CONFIG);
        producerConfig = Map.copyOf(connection);
    }

    @Override
    public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        String reason = "processing failed in " + context.processorNodeId() + ": " + FreeText.clean(String.valueOf(exception));
        if (context.sourceRawValue() == null && context.sourceRawKey() == null) {
            // A punctuation: there is no record to keep, only the fault to report.
            LOG.error("{}: {} (task {}), going on", service, reason, context.taskId(), exception);
            return ProcessingHandlerResponse.CONTINUE;
        }
        LOG.error("{}: dead-lettering {}-{}@{}: {}", service, context.topic(), context.partition(), context.offset(),
                reason, exception);
        try {
            producer().send(DeadLetter.record(topic, context.sourceRawKey(), context.sourceRawValue(), context.headers(), reason,
                    context.topic(), context.partition(), context.offset(), service))
                    .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            DeadLetterCounts.of(service).count(reason);
            return ProcessingHandlerResponse.CONTINUE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProcessingHandlerResponse.FAIL;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.error("{}: cannot write the dead letter of {}-{}@{} to {} ({}): failing the stream thread, which is "
                    + "replaced and reads the record again", service, context.topic(), context.partition(),
                    context.offset(), topic, e.toString());
            return ProcessingHandlerResponse.FAIL;
        }
    }

    private Producer<byte[], byte[]> producer() {
        return PRODUCERS.computeIfAbsent(producerConfig, config -> {
            KafkaProducer<byte[], byte[]> made = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> made.close(Duration.ofSeconds(5)), "dead-letter-net-close"));
            return made;
        });
    }

    private static String required(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value == null || value.toString().isBlank()) {
            throw new ConfigException(key, value, "the dead-letter net needs it: set kafka-streams." + key
                    + " in application.properties (e.g. " + (key.equals(TOPIC) ? "guestguard.dead-letter.v1" : "policy-engine") + ")");
        }
        return value.toString();
    }
}
