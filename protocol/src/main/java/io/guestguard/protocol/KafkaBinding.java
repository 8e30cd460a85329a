package io.guestguard.protocol;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The CloudEvents Kafka protocol binding as GuestGuard uses it: the one place that says which
 * headers a record carries. Every GuestGuard writer puts its events in <b>structured mode</b>: the
 * value is the whole event as JSON ({@link EventCodec#encode}), and the header
 * {@value #CONTENT_TYPE} is {@value CloudEvent#CONTENT_TYPE}, which is what tells a CloudEvents SDK's
 * Kafka deserializer how to read it. Every GuestGuard reader also takes <b>binary mode</b>, as other
 * producers may write it: each attribute in a header {@code ce_<name>}, {@code datacontenttype} in
 * {@value #CONTENT_TYPE}, the value the data alone ({@link EventCodec#read(byte[], Headers)}).
 * Records written before the header existed carry none and are read as structured mode.
 */
public final class KafkaBinding {

    /** The header that names the record's content type (the binding's, and Kafka Connect's, name). */
    public static final String CONTENT_TYPE = "content-type";
    /** The prefix of a binary-mode attribute header: {@code ce_id}, {@code ce_guestid}, ... */
    public static final String ATTRIBUTE_PREFIX = "ce_";
    /** The header whose presence makes a record binary mode. */
    public static final String SPEC_VERSION = ATTRIBUTE_PREFIX + "specversion";

    private static final byte[] STRUCTURED = CloudEvent.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);

    private KafkaBinding() {
    }

    /** How a record carries its event. */
    public enum Mode {
        /** The whole event in the value, as JSON. */
        STRUCTURED,
        /** The attributes in {@code ce_} headers, the data in the value. */
        BINARY
    }

    /** New headers of a structured-mode record. */
    public static RecordHeaders structured() {
        return structured(new RecordHeaders());
    }

    /** {@code headers}, marked structured mode ({@value #CONTENT_TYPE} replaced), for chaining. */
    public static <H extends Headers> H structured(H headers) {
        headers.remove(CONTENT_TYPE);
        headers.add(CONTENT_TYPE, STRUCTURED.clone());
        return headers;
    }

    /** A structured-mode record of an encoded event ({@code value}, e.g. from {@code Signer.encode}) for {@code topic}. */
    public static <K> ProducerRecord<K, byte[]> record(String topic, K key, byte[] value) {
        return new ProducerRecord<>(topic, null, key, value, structured());
    }

    /**
     * The CloudEvents headers of {@code original} ({@value #CONTENT_TYPE} and every {@code ce_} one):
     * what a copy of its value must carry to be read as the same event, e.g. a dead letter or the
     * package copied to {@code packages.v1}. None for a record that had none.
     */
    public static RecordHeaders carried(Headers original) {
        RecordHeaders carried = new RecordHeaders();
        if (original != null) {
            for (Header header : original) {
                if (header.key().equals(CONTENT_TYPE) || header.key().startsWith(ATTRIBUTE_PREFIX)) {
                    carried.add(header.key(), header.value());
                }
            }
        }
        return carried;
    }

    /**
     * The mode of a record with {@code headers} (null: none), decided as the binding and the SDKs
     * decide it: structured when its content type is {@value CloudEvent#CONTENT_TYPE} (whatever else
     * it carries), else binary when it has {@value #SPEC_VERSION}, else structured when it has no
     * content type (a record from before the header).
     *
     * @throws RejectedRecordException when it is none of these: a content type that no GuestGuard
     *                                 event has, without {@value #SPEC_VERSION}
     */
    public static Mode mode(Headers headers) {
        if (headers == null) {
            return Mode.STRUCTURED;
        }
        String type = text(headers, CONTENT_TYPE);
        if (type != null && mediaType(type).equals(CloudEvent.CONTENT_TYPE)) {
            return Mode.STRUCTURED;
        }
        if (headers.lastHeader(SPEC_VERSION) != null) {
            return Mode.BINARY;
        }
        if (type == null) {
            return Mode.STRUCTURED;
        }
        throw new RejectedRecordException("content-type " + FreeText.quote(type) + " without a " + SPEC_VERSION
                + " header: neither a structured-mode (" + CloudEvent.CONTENT_TYPE + ") nor a binary-mode CloudEvent");
    }

    /** The media type of a content type, without parameters ({@code ; charset=utf-8}), in lower case. */
    static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** The last header {@code name} as UTF-8 text, or null. */
    static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
