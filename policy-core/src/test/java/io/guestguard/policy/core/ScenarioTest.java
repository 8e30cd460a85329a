package io.guestguard.policy.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.EventType;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStartFailed;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.StartGuest;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The decider's golden scenarios, in the manner of Pacemaker's {@code cts/scheduler}: every folder
 * under {@code src/test/resources/scenarios/} holds the facts about one guest ({@code facts.json}),
 * the decisions and commands that SHOULD follow ({@code expected.json}), a one-line summary
 * ({@code summary.txt}) and optionally the fleet view ({@code view.json}). The format is described
 * in {@code scenarios/README.md}.
 *
 * <p>Besides comparing with {@code expected.json}, every scenario is checked against the decider's
 * invariants: every decision has a reason sentence and names its fact; every command belongs to the
 * decision that lists it; a guest is started only when no previous placement may still run (or the
 * package chose not to wait for fencing); a start is the next epoch with fresh budgets; a live
 * migration never changes a budget; emitted records pass the protocol's schemas; and the same facts
 * give the same outcomes twice.
 *
 * <p>{@code -Dscenarios.update=true} rewrites {@code expected.json} from what the decider does now
 * (and prints each scenario's trace). Review every rewritten file by hand: it must state what SHOULD
 * happen. {@code -Dscenarios.only=name[,name]} runs only the named scenarios.
 */
class ScenarioTest {

    /** Offsets in {@code facts.json} ({@code "+30s"}) count from here. */
    static final Instant START = Instant.parse("2026-11-26T12:00:00Z");
    static final String DEFAULT_GUEST = "g1";
    static final RestartLimit DEFAULT_LIMIT = new RestartLimit(3);

    private static final EventCodec CODEC = new EventCodec();
    private static final ObjectMapper JSON = CODEC.mapper();
    private static final boolean UPDATE = Boolean.getBoolean("scenarios.update");
    private static final Pattern OFFSET_PART = Pattern.compile("(\\d+)(ms|h|m|s)");

    static Stream<Named<Path>> scenarios() throws IOException {
        Path root = scenarioRoot();
        Set<String> only = onlyNames();
        List<Named<Path>> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory).sorted()
                    .filter(d -> only.isEmpty() || only.contains(d.getFileName().toString()))
                    .forEach(d -> found.add(Named.of(d.getFileName().toString(), d)));
        }
        assertThat(found).as("scenario folders under %s", root).isNotEmpty();
        return found.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(Path dir) throws IOException {
        Scenario scenario = Scenario.load(dir);
        List<Step> steps = run(scenario);
        assertThat(run(scenario)).as("%s: the same facts must give the same outcomes (replay)", scenario.name)
                .isEqualTo(steps);
        checkInvariants(scenario, steps);

        // Through text, so that numbers compare as the file's do (an int 1 is not a long 1 to Jackson).
        JsonNode actual = JSON.readTree(JSON.writeValueAsString(render(steps)));
        if (UPDATE) {
            Path target = sourceDir(scenario.name).resolve("expected.json");
            Files.writeString(target, Pretty.print(actual), StandardCharsets.UTF_8);
            System.out.println("updated " + target + "\n" + scenario.summary + "\n" + trace(steps) + "\n");
            return;
        }
        JsonNode expected = scenario.expected;
        if (!actual.equals(expected)) {
            fail("scenario %s: %s%n%s%n%nexpected.json says:%n%s%n%nthe decider did:%n%s%n%nwhat happened:%n%s%n"
                            + "(if the decider is right, rerun with -Dscenarios.update=true -Dscenarios.only=%s"
                            + " and review the file)",
                    scenario.name, scenario.summary, firstDifference(expected, actual),
                    expected == null ? "(no expected.json)" : Pretty.print(expected), Pretty.print(actual), trace(steps),
                    scenario.name);
        }
    }

    /** Where the two sides first part, so a long file need not be compared by eye. */
    static String firstDifference(JsonNode expected, JsonNode actual) {
        if (expected == null) {
            return "first difference: there is no expected.json";
        }
        JsonNode want = expected.path("decisions");
        JsonNode got = actual.path("decisions");
        for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
            if (!want.path(i).equals(got.path(i))) {
                return "first difference: decision #" + (i + 1) + "\n  expected " + (want.has(i) ? Pretty.inline(want.get(i))
                        : "nothing more") + "\n  actual   " + (got.has(i) ? Pretty.inline(got.get(i)) : "nothing more");
            }
        }
        return "first difference: the final state\n  expected " + Pretty.inline(expected.path("final"))
                + "\n  actual   " + Pretty.inline(actual.path("final"));
    }

    // ---- running ----

    /** One fact, its decision time and what the decider made of it, with the state before. */
    record Step(CloudEvent<? extends Fact> fact, Instant at, GuestState before, Outcome outcome) {
    }

    private static List<Step> run(Scenario scenario) {
        Decider decider = new Decider(DEFAULT_LIMIT);
        GuestState state = GuestState.EMPTY;
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < scenario.facts.size(); i++) {
            CloudEvent<? extends Fact> fact = scenario.facts.get(i);
            Instant at = scenario.decisionTimes.get(i);
            Outcome outcome = decider.decide(state, fact, at, scenario.view);
            steps.add(new Step(fact, at, state, outcome));
            state = outcome.state();
        }
        return steps;
    }

    // ---- invariants that hold in every scenario ----

    private static void checkInvariants(Scenario scenario, List<Step> steps) {
        Set<String> decisionIds = new HashSet<>();
        for (Step step : steps) {
            CloudEvent<? extends Fact> fact = step.fact;
            String where = scenario.name + ", fact " + fact.id() + " (" + fact.data().describe() + ")";
            Outcome outcome = step.outcome;
            List<String> listed = new ArrayList<>();
            for (CloudEvent<Decision> event : outcome.decisions()) {
                Decision d = event.data();
                assertThat(d.reason().text()).as("%s: decision %s has a sentence", where, event.id()).isNotBlank();
                assertThat(Arrays.stream(DecisionReason.values()).map(Enum::name))
                        .as("%s: reason code of %s", where, event.id()).contains(d.reason().code());
                assertThat(d.causeIds()).as("%s: causes of %s", where, event.id()).containsExactly(fact.id());
                assertThat(decisionIds.add(event.id())).as("%s: decision id %s is unique", where, event.id()).isTrue();
                checkEnvelope(where, step, event);
                assertThat(d.factTime()).as("%s: %s records its fact's own time", where, event.id()).isEqualTo(fact.time());
                listed.addAll(d.commandIds());
                for (String commandId : d.commandIds()) {
                    CloudEvent<Command> command = outcome.commands().stream().filter(c -> c.id().equals(commandId))
                            .findFirst().orElseThrow(() -> new AssertionError(where + ": command " + commandId
                                    + " listed by " + event.id() + " was not emitted"));
                    assertThat(command.data().decisionId()).as("%s: decision of %s", where, commandId)
                            .isEqualTo(event.id());
                }
            }
            assertThat(outcome.commands().stream().map(CloudEvent::id).toList())
                    .as("%s: every command is listed by its decision, in order", where).isEqualTo(listed);
            for (CloudEvent<Command> command : outcome.commands()) {
                checkEnvelope(where, step, command);
                if (command.data() instanceof HostCommand hc) {
                    assertThat(command.hostId()).as("%s: %s is keyed by its host", where, command.id()).isEqualTo(hc.host());
                }
                if (command.data() instanceof HaltGuest halt) {
                    assertThat(command.epoch()).as("%s: %s carries its epoch", where, command.id()).isEqualTo(halt.epoch());
                }
                if (command.data() instanceof MigrateGuest migrate) {
                    assertThat(command.epoch()).as("%s: %s carries its epoch", where, command.id()).isEqualTo(migrate.epoch());
                    if (!(fact.data() instanceof MigrationCompleted)) { // one that completed may be followed by one back
                        assertThat(step.outcome.state().placement()).as("%s: the placement stays until the migration completes",
                                where).isEqualTo(step.before.placement());
                    }
                }
                if (command.data() instanceof StartGuest start) {
                    checkStart(where, step, start);
                    assertThat(command.epoch()).as("%s: %s carries its epoch", where, command.id()).isEqualTo(start.epoch());
                }
            }
            if (fact.data() instanceof MigrationCompleted) {
                assertThat(outcome.state().apps()).as("%s: a live migration never changes a restart budget", where)
                        .isEqualTo(step.before.apps());
            }
        }
    }

    /** Exactly one runner: a start only when no earlier placement may still run, as the next epoch, with fresh budgets. */
    private static void checkStart(String where, Step step, StartGuest start) {
        Placement before = step.before.placement();
        if (before.mayRun()) {
            Fact fact = step.fact.data();
            boolean released = fact instanceof GuestHalted h && h.host().equals(before.host())
                    || fact instanceof HostFenced f && f.host().equals(before.host())
                    || fact instanceof GuestStartFailed s && s.host().equals(before.host())
                    || fact instanceof HostLost l && l.host().equals(before.host())
                    && step.before.spec() != null && !step.before.spec().waitForFence();
            assertThat(released).as("%s: starts %s on %s while it may still run on %s (%s)", where, start.guest(),
                    start.host(), before.host(), before.phase()).isTrue();
        }
        assertThat(start.epoch()).as("%s: a start is the next epoch", where).isEqualTo(before.epoch() + 1);
        assertThat(step.outcome.state().apps()).as("%s: a start begins with fresh restart budgets", where).isEmpty();
        assertThat(step.outcome.state().placement().host()).as("%s: the placement follows the start", where)
                .isEqualTo(start.host());
    }

    private static void checkEnvelope(String where, Step step, CloudEvent<?> emitted) {
        CloudEvent<? extends Fact> fact = step.fact;
        assertThat(emitted.source()).as("%s: source of %s", where, emitted.id()).isEqualTo(Decider.SOURCE);
        assertThat(emitted.time()).as("%s: %s takes its fact's decision time", where, emitted.id()).isEqualTo(step.at);
        assertThat(emitted.guestId()).as("%s: %s is keyed by the guest", where, emitted.id()).isEqualTo(fact.guestId());
        assertThat(CODEC.decode(CODEC.encode(emitted))).as("%s: %s passes its schema and round-trips", where, emitted.id())
                .isEqualTo(emitted);
    }

    // ---- rendering: the form expected.json is written in ----

    static ObjectNode render(List<Step> steps) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode decisions = root.putArray("decisions");
        for (Step step : steps) {
            for (CloudEvent<Decision> event : step.outcome.decisions()) {
                decisions.add(renderDecision(event, step.outcome.commands()));
            }
        }
        GuestState last = steps.isEmpty() ? GuestState.EMPTY : steps.get(steps.size() - 1).outcome.state();
        root.set("final", renderState(last));
        return root;
    }

    private static ObjectNode renderDecision(CloudEvent<Decision> event, List<CloudEvent<Command>> commands) {
        Decision d = event.data();
        ObjectNode node = JSON.createObjectNode();
        node.put("id", event.id());
        node.put("action", d.action().name());
        putIfSet(node, "app", d.app());
        putIfSet(node, "attempt", d.attempt());
        putIfSet(node, "limit", d.limit());
        putIfSet(node, "delayMs", d.delayMs());
        putIfSet(node, "fromHost", d.fromHost());
        putIfSet(node, "toHost", d.toHost());
        putIfSet(node, "epoch", d.epoch());
        if (!d.hostLoads().isEmpty()) {
            node.set("hostLoads", JSON.valueToTree(new java.util.TreeMap<>(d.hostLoads())));
        }
        node.put("reason", d.reason().code());
        node.set("causeIds", JSON.valueToTree(d.causeIds()));
        ArrayNode issued = node.putArray("commands");
        for (String id : d.commandIds()) {
            commands.stream().filter(c -> c.id().equals(id)).findFirst().ifPresent(c -> issued.add(renderCommand(c)));
        }
        if (issued.isEmpty()) {
            node.remove("commands");
        }
        return node;
    }

    private static ObjectNode renderCommand(CloudEvent<Command> command) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", command.id());
        node.put("type", shortType(command.type()));
        putIfSet(node, "hostid", command.hostId());
        putIfSet(node, "epoch", command.epoch());
        node.set("data", JSON.valueToTree(command.data()));
        return node;
    }

    private static ObjectNode renderState(GuestState state) {
        Placement p = state.placement();
        ObjectNode node = JSON.createObjectNode();
        putIfSet(node, "host", p.host());
        node.put("epoch", p.epoch());
        node.put("phase", p.phase().name());
        putIfSet(node, "nextHost", p.nextHost());
        ObjectNode failures = JSON.createObjectNode();
        state.apps().forEach((app, budget) -> failures.put(app, budget.failures()));
        if (!failures.isEmpty()) {
            node.set("failures", failures);
        }
        if (!state.switchingEnabled()) {
            node.put("switching", "disabled");
        }
        if (state.maintenance()) {
            node.put("maintenance", true);
        }
        putHosts(node, "lostHosts", state.lostHosts());
        putHosts(node, "fencedHosts", state.fencedHosts());
        putHosts(node, "hostsInMaintenance", state.hostsInMaintenance());
        putHosts(node, "failedTargets", state.failedTargets());
        return node;
    }

    private static void putHosts(ObjectNode node, String field, Set<String> hosts) {
        if (!hosts.isEmpty()) {
            node.set(field, JSON.valueToTree(hosts));
        }
    }

    private static void putIfSet(ObjectNode node, String field, Object value) {
        if (value != null) {
            node.set(field, JSON.valueToTree(value));
        }
    }

    /** {@code io.guestguard.command.start-guest.v1} -> {@code start-guest}; {@code io.guestguard.app.failed.v1} -> {@code app.failed}. */
    static String shortType(String type) {
        String s = type.startsWith("io.guestguard.") ? type.substring("io.guestguard.".length()) : type;
        s = s.startsWith("command.") ? s.substring("command.".length()) : s;
        return s.endsWith(".v1") ? s.substring(0, s.length() - 3) : s;
    }

    /** What happened, as crm_simulate would print it: each fact, then each decision with its sentence. */
    static String trace(List<Step> steps) {
        StringBuilder out = new StringBuilder();
        for (Step step : steps) {
            CloudEvent<? extends Fact> fact = step.fact;
            out.append(String.format("  %-8s %-7s %s%s%s%n", fact.id(), offset(step.at), fact.data().describe(),
                    fact.epoch() == null ? "" : " [epoch " + fact.epoch() + "]",
                    fact.time().equals(step.at) ? "" : " (its own time " + offset(fact.time()) + ")"));
            if (step.outcome.decisions().isEmpty() && sameExceptBookkeeping(step.outcome.state(), step.before)) {
                out.append("                   (changes nothing)\n");
            }
            for (CloudEvent<Decision> d : step.outcome.decisions()) {
                out.append("                   -> ").append(d.data().action()).append(": ")
                        .append(d.data().reason().text()).append('\n');
            }
        }
        return out.toString();
    }

    private static boolean sameExceptBookkeeping(GuestState a, GuestState b) {
        return java.util.Objects.equals(a.spec(), b.spec()) && a.placement().equals(b.placement())
                && a.apps().equals(b.apps()) && a.lostHosts().equals(b.lostHosts())
                && a.fencedHosts().equals(b.fencedHosts()) && a.hostsInMaintenance().equals(b.hostsInMaintenance())
                && a.failedTargets().equals(b.failedTargets()) && a.switchingEnabled() == b.switchingEnabled()
                && a.maintenance() == b.maintenance() && java.util.Objects.equals(a.fence(), b.fence());
    }

    private static String offset(Instant time) {
        Duration d = Duration.between(START, time);
        StringBuilder s = new StringBuilder(d.isNegative() ? "-" : "+");
        d = d.abs();
        if (d.toHours() > 0) {
            s.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            s.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0 || d.isZero()) {
            s.append(d.toSecondsPart()).append('s');
        }
        if (d.toMillisPart() > 0) {
            s.append(d.toMillisPart()).append("ms");
        }
        return s.toString();
    }

    // ---- loading ----

    /** One scenario folder, read and completed with the defaults of {@code scenarios/README.md}. */
    record Scenario(String name, String summary, List<CloudEvent<? extends Fact>> facts, List<Instant> decisionTimes,
                    FleetView view, JsonNode expected) {

        static Scenario load(Path dir) throws IOException {
            String name = dir.getFileName().toString();
            Path summaryFile = dir.resolve("summary.txt");
            assertThat(summaryFile).as("%s has a summary.txt", name).exists();
            String summary = Files.readString(summaryFile, StandardCharsets.UTF_8).strip();
            assertThat(summary).as("%s: summary.txt is one readable line", name).isNotBlank().doesNotContain("\n");
            JsonNode factsJson = JSON.readTree(dir.resolve("facts.json").toFile());
            assertThat(factsJson.isArray()).as("%s: facts.json is a JSON array", name).isTrue();
            List<CloudEvent<? extends Fact>> facts = new ArrayList<>();
            List<Instant> decisionTimes = new ArrayList<>();
            Instant previous = START;
            int index = 0;
            for (JsonNode entry : factsJson) {
                index++;
                ObjectNode event = (ObjectNode) entry.deepCopy();
                JsonNode at = event.remove("at");
                event = complete(name, index, event, previous);
                Instant own = Instant.parse(event.get("time").asText());
                decisionTimes.add(at == null ? own : time(name, index, at, own));
                CloudEvent<?> decoded;
                try {
                    decoded = CODEC.decode(JSON.writeValueAsBytes(event));
                } catch (RejectedRecordException e) {
                    throw new AssertionError(name + ": fact " + index + " of facts.json is not a valid record: "
                            + e.getMessage() + "\n  as completed: " + event, e);
                }
                if (!(decoded.data() instanceof Fact)) {
                    fail("%s: fact %d (%s) is a %s, not a fact", name, index, decoded.id(), decoded.type());
                }
                @SuppressWarnings("unchecked")
                CloudEvent<? extends Fact> fact = (CloudEvent<? extends Fact>) decoded;
                facts.add(fact);
                previous = fact.time();
            }
            FleetView view = FleetView.EMPTY;
            Path viewFile = dir.resolve("view.json");
            if (Files.exists(viewFile)) {
                Map<String, Integer> loads = JSON.readValue(viewFile.toFile(),
                        JSON.getTypeFactory().constructMapType(Map.class, String.class, Integer.class));
                view = new FleetView(loads);
            }
            Path expectedFile = dir.resolve("expected.json");
            JsonNode expected = Files.exists(expectedFile) ? JSON.readTree(expectedFile.toFile()) : null;
            return new Scenario(name, summary, facts, decisionTimes, view, expected);
        }

        /** Fills in what a scenario may leave out (see README.md). */
        private static ObjectNode complete(String name, int index, ObjectNode event, Instant previous) {
            event.remove("//");
            if (!event.hasNonNull("type")) {
                fail("%s: fact %d has no type", name, index);
            }
            String type = event.get("type").asText();
            if (!type.startsWith("io.guestguard.")) {
                type = "io.guestguard." + type + ".v1";
                event.put("type", type);
            }
            if (EventType.fromType(type).isEmpty()) {
                fail("%s: fact %d has unknown type %s", name, index, type);
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
            event.put("time", time(name, index, event.get("time"), previous).toString());
            ObjectNode data = event.has("data") ? (ObjectNode) event.get("data") : event.putObject("data");
            switch (shortType(type)) {
                case "app.failed" -> {
                    if (!data.has("exitCode") && !data.has("signal") && !data.has("check")) {
                        data.put("signal", "KILL");
                    }
                }
                case "operator.request" -> {
                    if (!data.has("operator")) {
                        data.put("operator", "alice");
                    }
                }
                case "package.applied" -> completeSpec(event.get("guestid").asText(),
                        data.has("spec") ? (ObjectNode) data.get("spec") : data.putObject("spec"));
                default -> {
                }
            }
            return event;
        }

        private static void completeSpec(String guest, ObjectNode spec) {
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
            for (JsonNode app : spec.get("applications")) {
                ObjectNode a = (ObjectNode) app;
                String appName = a.path("name").asText("app");
                putDefault(a, "kind", "exec");
                putDefault(a, "command", "/opt/" + appName + "/bin/" + appName);
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
        private static Instant time(String name, int index, JsonNode value, Instant otherwise) {
            if (value == null || value.isNull()) {
                return otherwise;
            }
            String text = value.asText().trim();
            if (!text.startsWith("+") && !text.startsWith("-")) {
                return Instant.parse(text);
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
                fail("%s: fact %d has time '%s'; write an offset like +90s, +1m30s, +500ms, -2h or an ISO instant",
                        name, index, text);
            }
            return text.startsWith("-") ? START.minus(offset) : START.plus(offset);
        }
    }

    // ---- where the files are ----

    private static Path scenarioRoot() {
        URL url = ScenarioTest.class.getResource("/scenarios");
        if (url == null) {
            throw new IllegalStateException("no scenarios folder on the test classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The source folder of a scenario (surefire runs in the module folder and sets {@code basedir}). */
    private static Path sourceDir(String name) {
        Path dir = Path.of(System.getProperty("basedir", ".")).resolve("src/test/resources/scenarios").resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new UncheckedIOException(new IOException("cannot find the source folder of scenario " + name
                    + " at " + dir.toAbsolutePath() + "; run from the policy-core module"));
        }
        return dir;
    }

    private static Set<String> onlyNames() {
        String only = System.getProperty("scenarios.only", "").trim();
        return only.isEmpty() ? Set.of() : Set.of(only.split("\\s*,\\s*"));
    }

    /**
     * Writes expected.json so that a person can read it: one decision per line, its commands on the
     * lines below it, then the final state on one line.
     */
    static final class Pretty {
        private Pretty() {
        }

        static String print(JsonNode root) {
            if (!root.isObject()) {
                return inline(root);
            }
            StringBuilder out = new StringBuilder("{\n");
            Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                out.append("  ").append(inline(JSON.getNodeFactory().textNode(field.getKey()))).append(": ");
                JsonNode value = field.getValue();
                if (value.isArray() && !value.isEmpty()) {
                    out.append("[\n");
                    for (int i = 0; i < value.size(); i++) {
                        out.append("    ").append(decision(value.get(i)));
                        out.append(i + 1 < value.size() ? ",\n" : "\n");
                    }
                    out.append("  ]");
                } else {
                    out.append(inline(value));
                }
                out.append(fields.hasNext() ? ",\n" : "\n");
            }
            return out.append("}\n").toString();
        }

        private static String decision(JsonNode node) {
            JsonNode commands = node.get("commands");
            if (!node.isObject() || commands == null || !commands.isArray() || commands.isEmpty()) {
                return inline(node);
            }
            ObjectNode head = ((ObjectNode) node).deepCopy();
            head.remove("commands");
            String first = inline(head);
            StringBuilder out = new StringBuilder(first.substring(0, first.length() - 1))
                    .append(", \"commands\": [\n");
            for (int i = 0; i < commands.size(); i++) {
                out.append("      ").append(inline(commands.get(i))).append(i + 1 < commands.size() ? ",\n" : "\n");
            }
            return out.append("    ]}").toString();
        }

        static String inline(JsonNode node) {
            if (node.isObject()) {
                StringBuilder out = new StringBuilder("{");
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    out.append(inline(JSON.getNodeFactory().textNode(field.getKey()))).append(": ")
                            .append(inline(field.getValue()));
                    if (fields.hasNext()) {
                        out.append(", ");
                    }
                }
                return out.append('}').toString();
            }
            if (node.isArray()) {
                StringBuilder out = new StringBuilder("[");
                for (int i = 0; i < node.size(); i++) {
                    out.append(i == 0 ? "" : ", ").append(inline(node.get(i)));
                }
                return out.append(']').toString();
            }
            return node.toString();
        }
    }
}
