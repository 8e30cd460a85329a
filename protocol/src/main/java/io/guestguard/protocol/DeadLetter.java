package io.guestguard.protocol;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * The dead-letter record format: the original key and value untouched, the reason and the origin in
 * headers (the same header names SmallRye's dead-letter strategy uses, so one tool reads both), and
 * the original's CloudEvents headers ({@link KafkaBinding#carried}), so a dead-lettered event reads
 * as the event it was, in whichever mode it was written.
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
        return headers(null, reason, topic, partition, offset, service);
    }

    /** As {@link #headers(String, String, int, long, String)}, keeping the CloudEvents headers of the {@code original}'s (null: none). */
    public static RecordHeaders headers(Headers original, String reason, String topic, int partition, long offset, String service) {
        RecordHeaders headers = KafkaBinding.carried(original);
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
        return record(deadLetterTopic, key, value, null, reason, topic, partition, offset, service);
    }

    /** As {@link #record(String, Object, byte[], String, String, int, long, String)}, keeping the original's CloudEvents headers. */
    public static <K> ProducerRecord<K, byte[]> record(String deadLetterTopic, K key, byte[] value, Headers original, String reason,
                                                        String topic, int partition, long offset, String service) {
        return new ProducerRecord<>(deadLetterTopic, null, key, value,
                headers(original, reason, topic, partition, offset, service));
    }

    /**
     * What a dead letter's headers say, as its readers show it. A header that is missing (a letter of
     * another writer) or a number that does not parse is {@code null}: a reader shows what there is.
     *
     * @param reason why the record was refused
     * @param service the service that refused it
     * @param topic the original record's topic
     * @param partition its partition
     * @param offset its offset there
     */
    public record Letter(String reason, String service, String topic, Integer partition, Long offset) {

        /** The original record's place, {@code topic-partition@offset}, as replays and timelines name it. */
        public String where() {
            return topic + "-" + partition + "@" + offset;
        }
    }

    /** Reads a dead letter's headers (the last of each name, as a header written twice means its last value). */
    public static Letter read(Headers headers) {
        String partition = text(headers, PARTITION);
        String offset = text(headers, OFFSET);
        return new Letter(text(headers, REASON), text(headers, SERVICE), text(headers, TOPIC), number(partition, Integer::valueOf),
                number(offset, Long::valueOf));
    }

    private static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static <N> N number(String text, java.util.function.Function<String, N> parse) {
        try {
            return text == null ? null : parse.apply(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
