package io.guestguard.protocol.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.KafkaBinding;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A structured-mode value in the CloudEvents Kafka binding's binary mode, as a conformant producer
 * writes it: each attribute in a header {@code ce_<name>}, {@code datacontenttype} in
 * {@code content-type}, the value the data alone. For tests of GuestGuard's readers; GuestGuard itself
 * never writes binary mode (the local fleet's tests write it with the CloudEvents SDK).
 *
 * @param headers the record's headers
 * @param value   the record's value: the data
 */
public record BinaryMode(RecordHeaders headers, byte[] value) {

    public static BinaryMode of(EventCodec codec, byte[] structured) {
        JsonNode node = codec.read(structured).json();
        RecordHeaders headers = new RecordHeaders();
        byte[] data = null;
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            switch (field.getKey()) {
                case "data" -> data = field.getValue().toString().getBytes(StandardCharsets.UTF_8);
                case "datacontenttype" -> headers.add(KafkaBinding.CONTENT_TYPE, utf8(field.getValue().asText()));
                default -> headers.add(KafkaBinding.ATTRIBUTE_PREFIX + field.getKey(), utf8(field.getValue().asText()));
            }
        }
        return new BinaryMode(headers, data);
    }

    /** This record with header {@code header} set to {@code value} (removed if null). */
    public BinaryMode with(String header, String value) {
        headers.remove(header);
        if (value != null) {
            headers.add(header, utf8(value));
        }
        return this;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
