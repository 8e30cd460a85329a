package io.guestguard.policy.core.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.policy.core.FleetView;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.EventType;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.RejectedRecordException;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scenario folder, read and completed with the defaults of {@code scenarios/README.md}: the
 * facts about one guest with their decision times, the fleet view, the one-line summary and what
 * should follow ({@code expected.json}, null when the folder has none).
 *
 * @param name          the folder's name
 * @param summary       {@code summary.txt}, one line
 * @param facts         {@code facts.json}, decoded as the engine decodes {@code guest-log.v1}
 * @param decisionTimes each fact's decision time (its {@code at}, else its own time)
 * @param view          {@code view.json}, or {@link FleetView#EMPTY}
 * @param expected      {@code expected.json}, or null
 */
public record Scenario(String name, String summary, List<CloudEvent<? extends Fact>> facts, List<Instant> decisionTimes,
                       FleetView view, JsonNode expected) {

    /** Offsets in {@code facts.json} ({@code "+30s"}) count from here. */
    public static final Instant START = Instant.parse("2026-11-26T12:00:00Z");
    public static final String DEFAULT_GUEST = "g1";
    public static final String FACTS = "facts.json";
    public static final String EXPECTED = "expected.json";
    public static final String SUMMARY = "summary.txt";
    public static final String VIEW = "view.json";

    private static final EventCodec CODEC = new EventCodec();
    private static final ObjectMapper JSON = CODEC.mapper();
    private static final Pattern OFFSET_PART = Pattern.compile("(\\d+)(ms|h|m|s)");
    private static final String TIME_FIX = "write an offset like +90s, +1m30s, +500ms, -2h or an ISO instant"
            + " such as 2026-11-26T12:00:00Z";

    public Scenario {
        facts = List.copyOf(facts);
        decisionTimes = List.copyOf(decisionTimes);
    }

    /**
     * Reads a scenario from its files' text.
     *
     * @param name  the folder's name
     * @param files a file's name ({@link #FACTS}, ...) to its text, empty when the folder has no such file
     * @throws ScenarioProblem naming the file, the field and the fix
     */
    public static Scenario read(String name, Function<String, Optional<String>> files) {
        String summary = files.apply(SUMMARY).orElseThrow(() -> new ScenarioProblem(SUMMARY,
                "missing; write one readable line saying what happens, e.g. \"* Failover g1 (h1 -> h2): app1 exceeded"
                        + " service_restart 3\"")).strip();
        if (summary.isEmpty() || summary.contains("\n")) {
            throw new ScenarioProblem(SUMMARY, (summary.isEmpty() ? "is empty" : "has several lines")
                    + "; write one readable line saying what happens");
        }
        JsonNode factsJson = parse(FACTS, files.apply(FACTS).orElseThrow(() -> new ScenarioProblem(FACTS,
                "missing; write the input facts as a JSON array, e.g. [{\"type\": \"guest.started\", \"epoch\": 1,"
                        + " \"data\": {\"host\": \"h1\"}}]")));
        if (!factsJson.isArray()) {
            throw new ScenarioProblem(FACTS, "is a JSON " + factsJson.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + ", not an array; write the facts as [{...}, {...}] in log order");
        }
        List<CloudEvent<? extends Fact>> facts = new ArrayList<>();
        List<Instant> decisionTimes = new ArrayList<>();
        Instant previous = START;
        int index = 0;
        for (JsonNode entry : factsJson) {
            index++;
            if (!entry.isObject()) {
                throw new ScenarioProblem(FACTS, "fact " + index + " is not a JSON object; write it as {\"type\": ..., ...}");
            }
            ObjectNode event = entry.deepCopy();
            JsonNode at = event.remove("at");
            complete(index, event, previous);
            Instant own = Instant.parse(event.get("time").asText());
            decisionTimes.add(at == null ? own : time(index, "at", at, own));
            CloudEvent<?> decoded;
            try {
                decoded = CODEC.decode(JSON.writeValueAsBytes(event));
            } catch (RejectedRecordException | JsonProcessingException e) {
                throw new ScenarioProblem(FACTS, "fact " + index + " (" + event.path("id").asText() + ", "
                        + event.get("type").asText() + ") is not a valid record: " + e.getMessage()
                        + "; fix the field named (as completed with the defaults: " + event + ")", e);
            }
            if (!(decoded.data() instanceof Fact)) {
                throw new ScenarioProblem(FACTS, "fact " + index + ", field \"type\": " + decoded.type()
                        + " is a command, not a fact; a scenario's input is facts (app.failed, guest.started, ...)");
            }
            @SuppressWarnings("unchecked")
            CloudEvent<? extends Fact> fact = (CloudEvent<? extends Fact>) decoded;
            facts.add(fact);
            previous = fact.time();
        }
        FleetView view = files.apply(VIEW).map(text -> view(parse(VIEW, text))).orElse(FleetView.EMPTY);
        JsonNode expected = files.apply(EXPECTED).map(text -> parse(EXPECTED, text)).orElse(null);
        if (expected != null && (!expected.isObject() || !expected.path("decisions").isArray())) {
            throw new ScenarioProblem(EXPECTED, "field \"decisions\" is missing or not an array; write"
                    + " {\"decisions\": [...], \"final\": {...}}, or draft it with -Dscenarios.update=true");
        }
        return new Scenario(name, summary, facts, decisionTimes, view, expected);
    }

    private static JsonNode parse(String file, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new ScenarioProblem(file, "is empty; write JSON");
            }
            return node;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ScenarioProblem(file, "is not valid JSON" + where + ": " + e.getOriginalMessage()
                    + "; fix the syntax there", e);
        }
    }

    private static FleetView view(JsonNode node) {
        if (!node.isObject()) {
            throw new ScenarioProblem(VIEW, "is not a JSON object; write guests per host, e.g. {\"h1\": 3, \"h2\": 1}");
        }
        Map<String, Integer> loads = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().canConvertToInt() || !field.getValue().isIntegralNumber() || field.getValue().asInt() < 0) {
                throw new ScenarioProblem(VIEW, "field \"" + field.getKey() + "\": " + field.getValue()
                        + " is not a number of guests; write a whole number 0 or more, e.g. {\"h1\": 3}");
            }
            loads.put(field.getKey(), field.getValue().asInt());
        }
        return new FleetView(loads);
    }

    /** Fills in what a scenario may leave out (see README.md). */
    private static void complete(int index, ObjectNode event, Instant previous) {
        event.remove("//");
        if (!event.hasNonNull("type")) {
            throw new ScenarioProblem(FACTS, "fact " + index + " has no field \"type\"; give one, e.g. \"type\": \"app.failed\"");
        }
        String type = event.get("type").asText();
        if (!type.startsWith("io.guestguard.")) {
            type = "io.guestguard." + type + ".v1";
            event.put("type", type);
        }
        if (EventType.fromType(type).isEmpty()) {
            throw new ScenarioProblem(FACTS, "fact " + index + ", field \"type\": unknown type " + type
                    + "; use a fact type of the wire contract, e.g. app.failed, guest.started, package.applied");
        }
        event.put("specversion", CloudEvent.SPEC_VERSION);
        if (!event.has("id")) {
            event.put("id", "f" + index);
        }
        if (!event.has("source")) {
            event.put("source", "/scenario");
        }
        if (!event.has("guestid")) {
            event.put("guestid", DEFAULT_GUEST);
        }
        event.put("time", time(index, "time", event.get("time"), previous).toString());
        if (event.has("data") && !event.get("data").isObject()) {
            throw new ScenarioProblem(FACTS, "fact " + index + ", field \"data\" is not a JSON object; write {...} or leave it out");
        }
        ObjectNode data = event.has("data") ? (ObjectNode) event.get("data") : event.putObject("data");
        switch (shortType(type)) {
            case "app.failed" -> {
                if (!data.has("exitCode") && !data.has("signal") && !data.has("check")) {
                    data.put("signal", "KILL");
                }
            }
            case "operator.request" -> putDefault(data, "operator", "alice");
            case "package.applied" -> {
                if (data.has("spec") && !data.get("spec").isObject()) {
                    throw new ScenarioProblem(FACTS, "fact " + index + ", field \"data.spec\" is not a JSON object;"
                            + " write {...} or leave it out for the defaults");
                }
                completeSpec(index, event.get("guestid").asText(),
                        data.has("spec") ? (ObjectNode) data.get("spec") : data.putObject("spec"));
            }
            default -> {
            }
        }
    }

    private static void completeSpec(int index, String guest, ObjectNode spec) {
        putDefault(spec, "guest", guest);
        if (!spec.has("hosts")) {
            spec.putArray("hosts").add("h1").add("h2");
        }
        putDefault(spec, "failoverPolicy", "CONFIGURED_NODE");
        putDefault(spec, "failbackPolicy", "MANUAL");
        if (!spec.has("autoRun")) {
            spec.put("autoRun", true);
        }
        if (!spec.has("waitForFence")) {
            spec.put("waitForFence", true);
        }
        if (!spec.has("applications")) {
            spec.putArray("applications").addObject().put("name", "app1").put("restartLimit", 3);
        }
        if (!spec.get("applications").isArray()) {
            throw new ScenarioProblem(FACTS, "fact " + index + ", field \"data.spec.applications\" is not an array;"
                    + " write [{\"name\": \"app1\"}, ...] or leave it out for one app1 with restartLimit 3");
        }
        for (JsonNode app : spec.get("applications")) {
            if (!app.isObject()) {
                throw new ScenarioProblem(FACTS, "fact " + index + ", field \"data.spec.applications\" holds "
                        + app + "; write each application as {\"name\": \"app1\", ...}");
            }
            ObjectNode a = (ObjectNode) app;
            if (!a.has("backoff")) {
                a.putObject("backoff").put("initialMs", 0).put("factor", 1.0).put("maxMs", 0);
            }
        }
    }

    private static void putDefault(ObjectNode node, String field, String value) {
        if (!node.has(field)) {
            node.put(field, value);
        }
    }

    /**
     * Absent: {@code otherwise}; {@code "+1m30s"} or {@code "-2h"}: that long after (before)
     * {@link #START}; else an ISO instant.
     */
    private static Instant time(int index, String field, JsonNode value, Instant otherwise) {
        if (value == null || value.isNull()) {
            return otherwise;
        }
        String text = value.asText().trim();
        if (!text.startsWith("+") && !text.startsWith("-")) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw badTime(index, field, text);
            }
        }
        Matcher m = OFFSET_PART.matcher(text);
        Duration offset = Duration.ZERO;
        int at = 1;
        while (at < text.length() && m.find(at) && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            offset = offset.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            at = m.end();
        }
        if (at != text.length() || text.length() == 1) {
            throw badTime(index, field, text);
        }
        return text.startsWith("-") ? START.minus(offset) : START.plus(offset);
    }

    private static ScenarioProblem badTime(int index, String field, String text) {
        return new ScenarioProblem(FACTS, "fact " + index + ", field \"" + field + "\": '" + text + "' is not a time; "
                + TIME_FIX);
    }

    /** {@code io.guestguard.command.start-guest.v1} -> {@code start-guest}; {@code io.guestguard.app.failed.v1} -> {@code app.failed}. */
    public static String shortType(String type) {
        String s = type.startsWith("io.guestguard.") ? type.substring("io.guestguard.".length()) : type;
        s = s.startsWith("command.") ? s.substring("command.".length()) : s;
        return s.endsWith(".v1") ? s.substring(0, s.length() - 3) : s;
    }
}
