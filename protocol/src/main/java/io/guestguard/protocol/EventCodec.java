package io.guestguard.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.guestguard.protocol.trust.SigningKey;
import io.guestguard.protocol.trust.Verifiability;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and writes GuestGuard CloudEvents: writes structured JSON mode, reads it and, given a Kafka
 * record's headers, the CloudEvents Kafka binding's binary mode too ({@link KafkaBinding}). Decoding is total: whatever the
 * bytes, it returns a valid event or throws a {@link RejectedRecordException} whose message is the
 * reason a dead-letter record carries, never anything else. It checks, in order: the size (at most
 * {@value #MAX_RECORD_BYTES} bytes), JSON syntax within bounds (nesting, string and number length,
 * no duplicate keys), the envelope against {@code /schemas/cloudevent.json} (ids, names and numbers
 * by the rules of {@code defs.json}; a {@code traceparent} first, strictly, by {@link Traceparent#parse}), {@code time} as an RFC 3339 instant between 1970 and 9999,
 * that the type is known, and the data against its type's schema. Thread-safe; share one instance.
 */
public final class EventCodec {

    /** The largest record any GuestGuard consumer reads; a package of 64 applications is a few KiB. */
    public static final int MAX_RECORD_BYTES = 64 * 1024;
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
    private static final String SCHEMA_BASE = "https://guestguard.io/schemas/";
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE, "classpath:schemas/")));
    /** The patterns every event carries checked without a regular expression, with the same answers ({@link SchemaPatterns}). */
    private static final SchemaValidatorsConfig SCHEMA_CONFIG = SchemaValidatorsConfig.builder()
            .regularExpressionFactory(SchemaPatterns.INSTANCE).build();

    private final ObjectMapper mapper = new ObjectMapper(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(32).maxStringLength(MAX_RECORD_BYTES).maxNumberLength(32).build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private final JsonSchema envelopeSchema = loadSchema("/schemas/cloudevent.json");
    private final Map<EventType, JsonSchema> dataSchemas = new EnumMap<>(EventType.class);

    public EventCodec() {
        for (EventType type : EventType.values()) {
            dataSchemas.put(type, loadSchema(type.schemaResource()));
        }
    }

    /** The event as UTF-8 JSON bytes. */
    public byte[] encode(CloudEvent<?> event) {
        try {
            return mapper.writeValueAsBytes(toJson(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event.type(), e);
        }
    }

    /** The event signed with {@code key} (the CloudEvents verifiability extension), as UTF-8 JSON bytes. */
    public byte[] encode(CloudEvent<?> event, SigningKey key) {
        try {
            return mapper.writeValueAsBytes(Verifiability.sign(toJson(event), key));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event.type(), e);
        }
    }

    /** The event as a JSON tree, attributes first, then {@code data}. */
    public ObjectNode toJson(CloudEvent<?> event) {
        ObjectNode node = mapper.createObjectNode();
        node.put("specversion", CloudEvent.SPEC_VERSION);
        node.put("id", event.id());
        node.put("source", event.source());
        node.put("type", event.type());
        node.put("time", event.time().toString());
        node.put("datacontenttype", "application/json");
        if (event.guestId() != null) {
            node.put("guestid", event.guestId());
        }
        if (event.guestSeq() != null) {
            node.put("guestseq", event.guestSeq());
        }
        if (event.hostId() != null) {
            node.put("hostid", event.hostId());
        }
        if (event.epoch() != null) {
            node.put("epoch", event.epoch());
        }
        if (event.traceparent() != null) {
            node.put("traceparent", event.traceparent().toString());
        }
        node.set("data", mapper.valueToTree(event.data()));
        return node;
    }

    /**
     * Decodes and validates one record value.
     *
     * @throws RejectedRecordException with the reason, when the record is malformed, of an unknown
     *                                 type or fails its schema
     */
    public CloudEvent<?> decode(byte[] bytes) {
        return read(bytes).event();
    }

    /**
     * The record as a structured-mode value: {@code value} itself when it is one, else the JSON of
     * the binary-mode event it carries. Its signature, which covers the attributes and the data, not
     * the bytes, still verifies. For copies kept or forwarded as structured mode (the engine's packages).
     *
     * @throws RejectedRecordException as {@link #read(byte[], Headers)} does
     */
    public byte[] structured(byte[] value, Headers headers) {
        if (KafkaBinding.mode(headers) == KafkaBinding.Mode.STRUCTURED) {
            return value;
        }
        try {
            return mapper.writeValueAsBytes(read(value, headers).json());
        } catch (JsonProcessingException e) {
            throw new RejectedRecordException("cannot write the binary-mode record as structured mode: " + e.getOriginalMessage(), e);
        }
    }

    /** As {@link #decode(byte[])}, for a Kafka record with {@code headers}, in either binding mode ({@link #read(byte[], Headers)}). */
    public CloudEvent<?> decode(byte[] bytes, Headers headers) {
        return read(bytes, headers).event();
    }

    /** A decoded record: the event, and its JSON as read (what its signature is checked against). */
    public record Read(CloudEvent<?> event, JsonNode json) {
    }

    /** As {@link #decode}, keeping the JSON as read. */
    public Read read(byte[] bytes) {
        return read(bytes, null);
    }

    /**
     * As {@link #read(byte[])}, for a Kafka record with {@code headers} (null: none), in either mode of
     * the CloudEvents Kafka binding ({@link KafkaBinding#mode}). A binary-mode record reads as the
     * structured event with the same attributes: each {@code ce_<name>} header becomes attribute
     * {@code <name>} ({@code guestseq} and {@code epoch} as numbers, when they are written as JSON
     * writes them), {@code content-type} becomes {@code datacontenttype}, and the value is the
     * {@code data}. So what {@link Read#json()} holds, and what a signature is checked against, is
     * the same in both modes, and a signed event verifies in either.
     */
    public Read read(byte[] bytes, Headers headers) {
        try {
            KafkaBinding.Mode mode = KafkaBinding.mode(headers);
            int size = (bytes == null ? 0 : bytes.length) + (mode == KafkaBinding.Mode.BINARY ? headerBytes(headers) : 0);
            if (size > MAX_RECORD_BYTES) {
                throw new RejectedRecordException("record of " + size + " bytes is larger than the "
                        + MAX_RECORD_BYTES + " bytes a GuestGuard event may have");
            }
            if (mode == KafkaBinding.Mode.BINARY) {
                return decodeChecked(binary(bytes, headers));
            }
            if (bytes == null) {
                throw new RejectedRecordException("empty record: no value");
            }
            return decodeChecked(parse(bytes, "malformed JSON: "));
        } catch (RejectedRecordException e) {
            throw e;
        } catch (RuntimeException e) {
            // Whatever the content provokes below (a parser limit, an unforeseen conversion), it is the
            // record's fault and must not reach the caller's loop as anything but a rejection.
            throw new RejectedRecordException("unreadable record: " + e, e);
        }
    }

    /**
     * The JSON of a record {@link #read} accepted before and that was kept as it was, where only accepted
     * records are kept (the engine's placements view): parsed, not validated again.
     *
     * @throws RejectedRecordException when it is no JSON
     */
    public JsonNode readAccepted(byte[] bytes) {
        return parse(bytes, "malformed JSON: ");
    }

    private JsonNode parse(byte[] bytes, String malformed) {
        JsonNode node;
        try {
            node = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new RejectedRecordException(malformed + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RejectedRecordException("unreadable record: " + e.getMessage(), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new RejectedRecordException("empty record: no JSON value");
        }
        return node;
    }

    /** The attributes a binary-mode record must have in headers, in the order a missing one is named. */
    private static final List<String> BINARY_REQUIRED = List.of("id", "source", "type", "time");

    /** A binary-mode record as the structured event it stands for (see {@link #read(byte[], Headers)}). */
    private ObjectNode binary(byte[] value, Headers headers) {
        ObjectNode node = mapper.createObjectNode();
        for (Header header : headers) {
            String key = header.key();
            if (!key.startsWith(KafkaBinding.ATTRIBUTE_PREFIX)) {
                continue;
            }
            String name = key.substring(KafkaBinding.ATTRIBUTE_PREFIX.length());
            if (name.equals("data") || name.equals("datacontenttype")) {
                throw new RejectedRecordException("binary mode: header " + FreeText.quote(key) + " is not allowed; the data is the"
                        + " record's value and its content type the " + KafkaBinding.CONTENT_TYPE + " header");
            }
            if (node.has(name)) {
                throw new RejectedRecordException("binary mode: header " + FreeText.quote(key) + " appears more than once");
            }
            String text = header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
            if ((name.equals("guestseq") || name.equals("epoch")) && CANONICAL_COUNT.matcher(text).matches()) {
                node.put(name, Long.parseLong(text));
            } else {
                node.put(name, text);
            }
        }
        if (!CloudEvent.SPEC_VERSION.equals(node.path("specversion").asText())) {
            throw new RejectedRecordException("binary mode: " + KafkaBinding.SPEC_VERSION + " is "
                    + FreeText.quote(node.path("specversion").asText()) + ", not " + CloudEvent.SPEC_VERSION);
        }
        for (String required : BINARY_REQUIRED) {
            if (!node.has(required)) {
                throw new RejectedRecordException("binary mode: required header " + KafkaBinding.ATTRIBUTE_PREFIX + required + " is missing");
            }
        }
        String contentType = KafkaBinding.text(headers, KafkaBinding.CONTENT_TYPE);
        if (contentType != null) {
            node.put("datacontenttype", contentType);
        }
        if (value == null) {
            throw new RejectedRecordException("binary mode: no value, where the data must be");
        }
        node.set("data", parse(value, "binary mode: the value (the data) is malformed JSON: "));
        return node;
    }

    /** A count as JSON writes it: no sign, no leading zero, at most 16 digits (see {@link CloudEvent#MAX_NUMBER}). */
    private static final Pattern CANONICAL_COUNT = Pattern.compile("0|[1-9][0-9]{0,15}");

    private static int headerBytes(Headers headers) {
        int bytes = 0;
        for (Header header : headers) {
            bytes += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return bytes;
    }

    private Read decodeChecked(JsonNode node) {
        Traceparent trace = traceparent(node); // before the schema, whose pattern would not say what is wrong
        requireValid(envelopeSchema, node, "not a GuestGuard CloudEvent");
        Instant time = time(node.get("time").asText());
        String typeName = node.get("type").asText();
        EventType type = EventType.fromType(typeName)
                .orElseThrow(() -> new RejectedRecordException("unknown type '" + typeName + "'"));
        JsonNode data = node.get("data");
        requireValid(dataSchemas.get(type), data, "data does not match the schema of " + typeName);
        try {
            Payload payload = mapper.treeToValue(data, type.payloadClass());
            return new Read(new CloudEvent<>(node.get("id").asText(), node.get("source").asText(), time,
                    text(node, "guestid"), number(node, "guestseq"), text(node, "hostid"), number(node, "epoch"), trace, payload),
                    node);
        } catch (IOException | IllegalArgumentException e) {
            throw new RejectedRecordException("data of " + typeName + " is invalid: " + e.getMessage(), e);
        }
    }

    /** {@code time} as RFC 3339 requires it: a date, 'T', a time and an offset; within 1970..9999. */
    private static Instant time(String text) {
        Instant time;
        try {
            time = EventTime.parse(text); // as ISO_OFFSET_DATE_TIME reads it
        } catch (RuntimeException e) {
            throw new RejectedRecordException("time " + FreeText.quote(text)
                    + " is not an RFC 3339 date-time with an offset, e.g. 2026-12-06T10:15:30.123Z", e);
        }
        if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
            throw new RejectedRecordException("time " + FreeText.quote(text) + " is outside 1970..9999");
        }
        return time;
    }

    /** The {@code traceparent} attribute, strictly as W3C Trace Context version 00 writes it, or {@code null}. */
    private static Traceparent traceparent(JsonNode node) {
        JsonNode value = node.get("traceparent");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new RejectedRecordException("traceparent is not a string");
        }
        try {
            return Traceparent.parse(value.asText());
        } catch (IllegalArgumentException e) {
            throw new RejectedRecordException(e.getMessage(), e);
        }
    }

    /** The shared, configured Jackson mapper (for payloads and test tooling). */
    public ObjectMapper mapper() {
        return mapper;
    }

    private static void requireValid(JsonSchema schema, JsonNode node, String what) {
        Set<ValidationMessage> errors = schema.validate(node);
        if (!errors.isEmpty()) {
            throw new RejectedRecordException(what + ": " + errors.stream()
                    .map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("; ")));
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asLong();
    }

    private static JsonSchema loadSchema(String resource) {
        try (InputStream in = EventCodec.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing: " + resource);
            }
            return SCHEMAS.getSchema(in, SCHEMA_CONFIG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
