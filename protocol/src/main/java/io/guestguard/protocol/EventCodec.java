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
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.guestguard.protocol.trust.SigningKey;
import io.guestguard.protocol.trust.Verifiability;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads and writes GuestGuard CloudEvents in structured JSON mode. Decoding is total: whatever the
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

    /** A decoded record: the event, and its JSON as read (what its signature is checked against). */
    public record Read(CloudEvent<?> event, JsonNode json) {
    }

    /** As {@link #decode}, keeping the JSON as read. */
    public Read read(byte[] bytes) {
        if (bytes == null) {
            throw new RejectedRecordException("empty record: no value");
        }
        if (bytes.length > MAX_RECORD_BYTES) {
            throw new RejectedRecordException("record of " + bytes.length + " bytes is larger than the "
                    + MAX_RECORD_BYTES + " bytes a GuestGuard event may have");
        }
        try {
            return decodeChecked(bytes);
        } catch (RejectedRecordException e) {
            throw e;
        } catch (RuntimeException e) {
            // Whatever the content provokes below (a parser limit, an unforeseen conversion), it is the
            // record's fault and must not reach the caller's loop as anything but a rejection.
            throw new RejectedRecordException("unreadable record: " + e, e);
        }
    }

    private Read decodeChecked(byte[] bytes) {
        JsonNode node;
        try {
            node = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new RejectedRecordException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RejectedRecordException("unreadable record: " + e.getMessage(), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new RejectedRecordException("empty record: no JSON value");
        }
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
            time = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
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
            return SCHEMAS.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
