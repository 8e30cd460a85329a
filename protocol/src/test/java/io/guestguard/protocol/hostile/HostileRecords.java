package io.guestguard.protocol.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.protocol.DetectorTick;
import io.guestguard.protocol.EventType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Records an attacker with a plain Kafka client could write, made from mutations of every golden
 * sample (one per event type): each attribute and data field removed, given every wrong JSON type,
 * boundary and absurd values, bad formats, very long strings, control characters, unicode, path
 * steps, newlines; whole records that are random bytes, truncated JSON, nesting bombs, bad UTF-8,
 * duplicate keys or larger than any event may be; each under the right key, no key and another
 * key. Deterministic for a seed, so a failure can be reproduced. Used by the hostile-record
 * campaigns of the codec, the engine's and the watcher's topologies and the packaged services.
 */
public final class HostileRecords {

    /**
     * One hostile record.
     *
     * @param label what was done, e.g. {@code app.failed: data.pid = -1 (key: own)}
     * @param family the kind of event it was made from: fact, heartbeat, host-beat (the
     *               detector's ticks on host-heartbeats.v1), guest-command, host-command, placement,
     *               decision, or garbage
     * @param key the record key, or {@code null}
     * @param value the record value
     */
    public record Hostile(String label, String family, String key, byte[] value) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long MAX_SAFE = (1L << 53) - 1;

    /** Values no well-formed record holds where a string or a number is expected. */
    private static final List<JsonNode> ABSURD = List.of(
            NODES.nullNode(), NODES.booleanNode(true), NODES.numberNode(-1), NODES.numberNode(0),
            NODES.numberNode(1.5), NODES.numberNode(MAX_SAFE + 1), NODES.numberNode(Long.MAX_VALUE),
            NODES.numberNode(Long.MIN_VALUE), NODES.numberNode(1e308), NODES.textNode(""), NODES.textNode(" "),
            NODES.textNode("x"), NODES.textNode("a/b"), NODES.textNode("../../etc/passwd"), NODES.textNode("/abs"),
            NODES.textNode(".."), NODES.textNode("-rf"), NODES.textNode("line\nbreak"), NODES.textNode("nul\u0000"),
            NODES.textNode("tab\there"), NODES.textNode("über"), NODES.textNode("\u202eevil"),
            NODES.textNode("\uD83D\uDCA5"), NODES.textNode("x".repeat(129)), NODES.textNode("y".repeat(4096)),
            NODES.textNode("not-a-time"), NODES.textNode("2026-13-45T99:99:99Z"), NODES.textNode("+1000000000-01-01T00:00:00Z"),
            NODES.textNode("9223372036854775807"), NODES.arrayNode(), NODES.objectNode(),
            NODES.arrayNode().add("g1").add(NODES.objectNode()));

    private final List<Sample> samples;
    private final UnaryOperator<String> rename;

    private record Sample(String type, String family, ObjectNode json) {
    }

    /**
     * @param rename applied to the text of every golden sample first: to put the records out of a
     *               running fleet's way (e.g. {@code g1} to {@code hostile-g1}), so that the ones
     *               that are still valid touch only guests and hosts that do not exist
     */
    public HostileRecords(UnaryOperator<String> rename) {
        this.rename = rename;
        this.samples = new ArrayList<>();
        for (EventType type : EventType.values()) {
            samples.add(new Sample(type.type(), family(type), (ObjectNode) read(golden(type))));
        }
    }

    /** The golden samples unchanged (renamed): what the campaign's valid records look like. */
    public List<Hostile> originals() {
        List<Hostile> originals = new ArrayList<>();
        for (Sample sample : samples) {
            originals.add(new Hostile(sample.type + ": original", sample.family, keyOf(sample.json), bytes(sample.json)));
        }
        return originals;
    }

    /** At least {@code count} hostile records for {@code seed}, in a deterministic order. */
    public List<Hostile> generate(long seed, int count) {
        List<Hostile> out = new ArrayList<>(count + 1024);
        forEach(seed, count, out::add);
        return out;
    }

    /** Streams at least {@code count} hostile records for {@code seed} without keeping them. */
    public void forEach(long seed, int count, Consumer<Hostile> sink) {
        Random random = new Random(seed);
        int[] made = {0};
        Consumer<Hostile> counting = h -> {
            made[0]++;
            sink.accept(h);
        };
        systematic(counting);
        while (made[0] < count) {
            randomOne(random, counting);
        }
    }

    /** Every single mutation of every sample once, and the whole-record forms. */
    private void systematic(Consumer<Hostile> sink) {
        for (Sample sample : samples) {
            for (List<String> path : paths(sample.json, new ArrayList<>())) {
                ObjectNode removed = sample.json.deepCopy();
                remove(removed, path);
                emitKeyed(sample, removed, "remove " + String.join(".", path), sink);
                for (JsonNode value : ABSURD) {
                    ObjectNode changed = sample.json.deepCopy();
                    set(changed, path, value.deepCopy());
                    emitKeyed(sample, changed, String.join(".", path) + " = " + describe(value), sink);
                }
            }
            byte[] original = bytes(sample.json);
            for (int cut = 0; cut < original.length; cut += Math.max(1, original.length / 24)) {
                sink.accept(new Hostile(sample.type + ": truncated at " + cut, sample.family, keyOf(sample.json),
                        java.util.Arrays.copyOf(original, cut)));
            }
            String text = new String(original, StandardCharsets.UTF_8);
            sink.accept(new Hostile(sample.type + ": duplicate type", sample.family, keyOf(sample.json),
                    text.replaceFirst("\\{", "{\"type\":\"io.guestguard.host.lost.v1\",").getBytes(StandardCharsets.UTF_8)));
            sink.accept(new Hostile(sample.type + ": oversized", sample.family, keyOf(sample.json),
                    text.replaceFirst("\\{", "{\"pad\":\"" + "p".repeat(70_000) + "\",").getBytes(StandardCharsets.UTF_8)));
            byte[] badUtf8 = original.clone();
            badUtf8[badUtf8.length / 2] = (byte) 0xC3;
            badUtf8[badUtf8.length / 2 + 1] = (byte) 0x28;
            sink.accept(new Hostile(sample.type + ": bad UTF-8", sample.family, keyOf(sample.json), badUtf8));
            sink.accept(new Hostile(sample.type + ": nesting bomb", sample.family, keyOf(sample.json),
                    text.replaceFirst("\\{", "{\"bomb\":" + "[".repeat(20_000) + "]".repeat(20_000) + ",")
                            .getBytes(StandardCharsets.UTF_8)));
        }
        for (String whole : List.of("", "null", "[]", "{}", "1", "\"x\"", "garbage", "{\"specversion\":\"1.0\"}")) {
            sink.accept(new Hostile("whole record: " + whole, "garbage", "g1", whole.getBytes(StandardCharsets.UTF_8)));
        }
        sink.accept(new Hostile("whole record: null value", "garbage", "g1", null));
    }

    /** One to three random mutations of a random sample, or random bytes, under a random key. */
    private void randomOne(Random random, Consumer<Hostile> sink) {
        if (random.nextInt(10) == 0) {
            byte[] noise = new byte[random.nextInt(512)];
            random.nextBytes(noise);
            sink.accept(new Hostile("random bytes", "garbage", random.nextBoolean() ? "g1" : null, noise));
            return;
        }
        Sample sample = samples.get(random.nextInt(samples.size()));
        ObjectNode changed = sample.json.deepCopy();
        List<List<String>> paths = paths(changed, new ArrayList<>());
        StringBuilder label = new StringBuilder(sample.type).append(":");
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            List<String> path = paths.get(random.nextInt(paths.size()));
            if (random.nextInt(5) == 0) {
                remove(changed, path);
                label.append(" remove ").append(String.join(".", path));
            } else {
                JsonNode value = ABSURD.get(random.nextInt(ABSURD.size()));
                set(changed, path, value.deepCopy());
                label.append(' ').append(String.join(".", path)).append(" = ").append(describe(value));
            }
        }
        String key = switch (random.nextInt(4)) {
            case 0 -> null;
            case 1 -> "other-" + random.nextInt(100_000);
            default -> keyOf(sample.json);
        };
        sink.accept(new Hostile(label + " (key: " + key + ")", sample.family, key, bytes(changed)));
    }

    private void emitKeyed(Sample sample, ObjectNode json, String what, Consumer<Hostile> sink) {
        byte[] value = bytes(json);
        String own = keyOf(sample.json);
        sink.accept(new Hostile(sample.type + ": " + what + " (key: own)", sample.family, own, value));
        sink.accept(new Hostile(sample.type + ": " + what + " (key: none)", sample.family, null, value));
        sink.accept(new Hostile(sample.type + ": " + what + " (key: another)", sample.family, own + "x", value));
    }

    /** Paths to every field of the envelope and of its data (objects and arrays walked), deepest last. */
    private static List<List<String>> paths(JsonNode node, List<String> prefix) {
        List<List<String>> paths = new ArrayList<>();
        if (node instanceof ObjectNode object) {
            object.fieldNames().forEachRemaining(name -> {
                List<String> path = new ArrayList<>(prefix);
                path.add(name);
                paths.add(path);
                paths.addAll(paths(object.get(name), path));
            });
        } else if (node instanceof ArrayNode array && !array.isEmpty()) {
            List<String> path = new ArrayList<>(prefix);
            path.add("0");
            paths.add(path);
            paths.addAll(paths(array.get(0), path));
        }
        return paths;
    }

    private static void set(JsonNode root, List<String> path, JsonNode value) {
        JsonNode parent = parent(root, path);
        String last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object) {
            object.set(last, value);
        } else if (parent instanceof ArrayNode array && array.size() > 0) {
            array.set(0, value);
        }
    }

    private static void remove(JsonNode root, List<String> path) {
        JsonNode parent = parent(root, path);
        String last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object) {
            object.remove(last);
        } else if (parent instanceof ArrayNode array && array.size() > 0) {
            array.remove(0);
        }
    }

    private static JsonNode parent(JsonNode root, List<String> path) {
        JsonNode node = root;
        for (String step : path.subList(0, path.size() - 1)) {
            node = node instanceof ArrayNode array ? array.path(0) : node.path(step);
        }
        return node;
    }

    private static String keyOf(JsonNode json) {
        JsonNode data = json.path("data");
        String type = json.path("type").asText();
        if (type.startsWith("io.guestguard.command.") && data.has("host") && !type.contains("rebind")
                && !type.contains("-app")) {
            return data.get("host").asText(); // host commands are keyed by the host that carries them out
        }
        if (type.equals("io.guestguard.heartbeat.v1")) {
            return data.path("id").asText();
        }
        if (type.equals(EventType.DETECTOR_TICK.type())) {
            return DetectorTick.key(data.path("partition").asInt());
        }
        if (type.equals(EventType.HOST_LEAVING.type())) {
            return data.path("host").asText();
        }
        if (type.startsWith("io.guestguard.key.")) {
            return data.path("keyId").asText(); // the keys topic is keyed by key id
        }
        return json.path("guestid").asText(null);
    }

    private static String family(EventType type) {
        String name = type.type();
        if (name.equals("io.guestguard.heartbeat.v1")) {
            return "heartbeat";
        }
        if (type == EventType.DETECTOR_TICK || type == EventType.HOST_LEAVING) {
            return "host-beat";
        }
        if (name.equals("io.guestguard.decision.v1")) {
            return "decision";
        }
        if (name.equals("io.guestguard.placement.v1")) {
            return "placement";
        }
        if (name.startsWith("io.guestguard.command.")) {
            return name.contains("-app") || name.contains("rebind") ? "guest-command" : "host-command";
        }
        if (name.startsWith("io.guestguard.key.")) {
            return "key";
        }
        return "fact";
    }

    private static String describe(JsonNode value) {
        String text = value.toString();
        return text.length() > 40 ? text.substring(0, 37) + "…(" + text.length() + ")" : text;
    }

    private JsonNode read(byte[] bytes) {
        try {
            return MAPPER.readTree(rename.apply(new String(bytes, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(JsonNode json) {
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] golden(EventType type) {
        try (InputStream in = HostileRecords.class.getResourceAsStream("/golden/" + type.type() + ".json")) {
            if (in == null) {
                throw new IllegalStateException("no golden sample for " + type.type());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
