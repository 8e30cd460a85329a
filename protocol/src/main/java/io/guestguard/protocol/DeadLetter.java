package io.guestguard.protocol;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * The dead-letter record format: the original key and value untouched, the reason and the origin in
 * headers (the same header names SmallRye's dead-letter strategy uses, so one tool reads both).
 */
public final class DeadLetter {

    public static final String REASON = "dead-letter-reason";
    public static final String TOPIC = "dead-letter-topic";
    public static final String PARTITION = "dead-letter-partition";
    public static final String OFFSET = "dead-letter-offset";
    public static final String SERVICE = "dead-letter-service";

    private DeadLetter() {
    }

    /** Headers describing why and where from a record was dead-lettered. */
    public static RecordHeaders headers(String reason, String topic, int partition, long offset, String service) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, utf8(reason));
        headers.add(TOPIC, utf8(topic));
        headers.add(PARTITION, utf8(Integer.toString(partition)));
        headers.add(OFFSET, utf8(Long.toString(offset)));
        headers.add(SERVICE, utf8(service));
        return headers;
    }

    /** A dead-letter record for {@code deadLetterTopic}, keeping the original key and value. */
    public static <K> ProducerRecord<K, byte[]> record(String deadLetterTopic, K key, byte[] value, String reason,
                                                        String topic, int partition, long offset, String service) {
        return new ProducerRecord<>(deadLetterTopic, null, key, value,
                headers(reason, topic, partition, offset, service));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
