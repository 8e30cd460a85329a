package io.guestguard.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.guestguard.protocol.trust.Authorization;
import io.guestguard.protocol.trust.Role;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/asyncapi.yaml is a valid AsyncAPI 3.0.0 document (by the specification's own JSON Schema,
 * committed under {@code src/test/resources/asyncapi} with its source) and says what the code says:
 * every topic {@link Topics} knows and no other, on each exactly the event types its reader in
 * {@link RecordGate} accepts, every {@link EventType} once, each with its own schema files (which
 * exist) and the roles {@link Authorization} lets emit it, and on each topic someone who writes each
 * of its types and someone who reads it.
 */
class AsyncApiDocumentTest {

    private static final Path DOCS = Path.of("..", "docs");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String SCHEMAS = "../protocol/src/main/resources/schemas/";
    private static final String DEAD_LETTER = "dead-letter";

    /** What each topic carries, as {@link RecordGate}'s table has it; the dead-letter topic carries dead letters. */
    private static Map<String, Predicate<EventType>> carried(Topics topics) {
        Map<String, Predicate<EventType>> carried = new LinkedHashMap<>();
        carried.put(topics.guestLog(), t -> Fact.class.isAssignableFrom(t.payloadClass()));
        carried.put(topics.heartbeats(), t -> t == EventType.HEARTBEAT);
        carried.put(topics.hostHeartbeats(), t -> Set.of(EventType.HEARTBEAT, EventType.HOST_LEAVING, EventType.DETECTOR_TICK).contains(t));
        carried.put(topics.guestCommands(), t -> GuestCommand.class.isAssignableFrom(t.payloadClass()));
        carried.put(topics.hostCommands(), t -> HostCommand.class.isAssignableFrom(t.payloadClass()));
        carried.put(topics.decisions(), t -> t == EventType.DECISION);
        carried.put(topics.packages(), t -> t == EventType.PACKAGE_APPLIED);
        carried.put(topics.placements(), t -> t == EventType.PLACEMENT);
        carried.put(topics.keys(), t -> KeyRecord.class.isAssignableFrom(t.payloadClass()));
        carried.put(topics.deadLetter(), t -> false);
        return carried;
    }

    @Test
    void theDocumentIsValidAsyncApi300() throws IOException {
        JsonNode document = YAML.readTree(DOCS.resolve("asyncapi.yaml").toFile());

        assertThat(document.path("asyncapi").asText()).isEqualTo("3.0.0");
        assertThat(specErrors(document)).isEmpty();
    }

    @Test
    void theSpecificationsSchemaCatchesAnInvalidDocument() throws IOException {
        ObjectNode broken = (ObjectNode) YAML.readTree(DOCS.resolve("asyncapi.yaml").toFile());
        broken.remove("info");
        ((ObjectNode) broken.path("operations").elements().next()).put("action", "publish"); // AsyncAPI 2's verb

        assertThat(specErrors(broken)).anySatisfy(e -> assertThat(e).contains("info"))
                .anySatisfy(e -> assertThat(e).contains("action"));
    }

    @Test
    void everyTopicAndEventTypeTheCodeKnowsIsInTheDocumentAndNothingElse() throws IOException {
        JsonNode document = YAML.readTree(DOCS.resolve("asyncapi.yaml").toFile());
        Topics topics = new Topics("guestguard.");
        JsonNode messages = document.path("components").path("messages");

        Map<String, Set<String>> documented = new LinkedHashMap<>();
        document.path("channels").properties().forEach(channel -> {
            Set<String> names = new TreeSet<>();
            channel.getValue().path("messages").properties().forEach(m -> names.add(resolve(document, m.getValue()).path("name").asText()));
            documented.put(channel.getValue().path("address").asText(), names);
        });
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        carried(topics).forEach((topic, carries) -> expected.put(topic, Arrays.stream(EventType.values()).filter(carries)
                .map(EventType::type).collect(Collectors.toCollection(TreeSet::new))));
        expected.get(topics.deadLetter()).add(DEAD_LETTER);

        assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(topics.all());
        assertThat(documented).containsExactlyInAnyOrderEntriesOf(expected);
        List<String> names = new ArrayList<>();
        messages.forEach(m -> names.add(m.path("name").asText()));
        List<String> all = new ArrayList<>(Arrays.stream(EventType.values()).map(EventType::type).toList());
        all.add(DEAD_LETTER);
        assertThat(names).containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void eachTypeReferencesItsSchemasAndNamesWhoMayEmitIt() throws IOException {
        JsonNode document = YAML.readTree(DOCS.resolve("asyncapi.yaml").toFile());
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        document.path("components").path("messages").forEach(m -> byName.put(m.path("name").asText(), m));

        for (EventType type : EventType.values()) {
            JsonNode message = byName.get(type.type());
            JsonNode parts = message.path("payload").path("allOf");
            assertThat(parts.get(0).path("$ref").asText()).as(type.type()).isEqualTo(SCHEMAS + "cloudevent.json");
            assertThat(parts.get(1).path("properties").path("type").path("const").asText()).isEqualTo(type.type());
            assertThat(parts.get(1).path("properties").path("data").path("$ref").asText()).as(type.type())
                    .isEqualTo(SCHEMAS + type.schemaResource().substring("/schemas/".length()));
            assertThat(message.path("contentType").asText()).isEqualTo(CloudEvent.CONTENT_TYPE);
            List<String> emitters = new ArrayList<>();
            message.path("x-emitters").forEach(e -> emitters.add(e.asText()));
            assertThat(emitters).as("x-emitters of " + type.type())
                    .containsExactlyInAnyOrderElementsOf(Authorization.emitters(type).stream().map(Role::wire).toList());
        }
        List<String> files = new ArrayList<>();
        collectFileRefs(document, files);
        assertThat(files).isNotEmpty().allSatisfy(ref -> assertThat(DOCS.resolve(ref.replaceFirst("#.*", "")))
                .as("the file %s refers to", ref).isRegularFile());
    }

    @Test
    void everyTypeOnEveryTopicHasAWriterAndEveryTopicAReader() throws IOException {
        JsonNode document = YAML.readTree(DOCS.resolve("asyncapi.yaml").toFile());
        Map<String, Set<String>> sent = new LinkedHashMap<>();
        Set<String> read = new TreeSet<>();
        document.path("operations").forEach(op -> {
            String channel = op.path("channel").path("$ref").asText().replace("#/channels/", "");
            if (op.path("action").asText().equals("receive")) {
                read.add(channel);
            } else {
                Set<String> messages = sent.computeIfAbsent(channel, c -> new TreeSet<>());
                op.path("messages").forEach(m -> messages.add(m.path("$ref").asText().replaceFirst(".*/", "")));
                if (op.path("messages").isEmpty()) {
                    document.path("channels").path(channel).path("messages").fieldNames().forEachRemaining(messages::add);
                }
            }
        });
        document.path("channels").properties().forEach(channel -> {
            Set<String> messages = new TreeSet<>();
            channel.getValue().path("messages").fieldNames().forEachRemaining(messages::add);
            assertThat(sent.getOrDefault(channel.getKey(), Set.of())).as("written to " + channel.getKey()).isEqualTo(messages);
            assertThat(read).as("someone reads " + channel.getKey()).contains(channel.getKey());
        });
    }

    /** The AsyncAPI 3.0.0 schema's complaints about {@code document}. */
    private static List<String> specErrors(JsonNode document) throws IOException {
        JsonNode spec;
        try (InputStream in = AsyncApiDocumentTest.class.getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
            spec = new ObjectMapper().readTree(in);
        }
        // The file names its meta-schema without the trailing '#', which the validator knows only with it (offline).
        ((ObjectNode) spec).put("$schema", "http://json-schema.org/draft-07/schema#");
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(spec);
        return schema.validate(document).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    /** A {@code $ref} within the document, followed; anything else as it is. */
    private static JsonNode resolve(JsonNode document, JsonNode node) {
        String ref = node.path("$ref").asText();
        return ref.startsWith("#/") ? document.at(ref.substring(1)) : node;
    }

    private static void collectFileRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref") && !e.getValue().asText().startsWith("#")) {
                    refs.add(e.getValue().asText());
                } else {
                    collectFileRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectFileRefs(n, refs));
        }
    }
}
