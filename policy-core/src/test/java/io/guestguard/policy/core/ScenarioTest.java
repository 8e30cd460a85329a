package io.guestguard.policy.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.policy.core.scenario.Scenario;
import io.guestguard.policy.core.scenario.ScenarioRun;
import io.guestguard.policy.core.scenario.ScenarioRun.Step;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStartFailed;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The decider's golden scenarios, in the manner of Pacemaker's {@code cts/scheduler}: every folder
 * under {@code src/test/resources/scenarios/} holds the facts about one guest ({@code facts.json}),
 * the decisions and commands that SHOULD follow ({@code expected.json}), a one-line summary
 * ({@code summary.txt}) and optionally the fleet view ({@code view.json}). The format is described
 * in {@code scenarios/README.md}; the folders are read and run by {@link Scenario} and {@link ScenarioRun}
 * of the core's main code, the reader {@code guestguard replay --scenario} uses too.
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

    static final RestartLimit DEFAULT_LIMIT = new RestartLimit(3);

    private static final EventCodec CODEC = new EventCodec();
    private static final ObjectMapper JSON = CODEC.mapper();
    private static final boolean UPDATE = Boolean.getBoolean("scenarios.update");

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
        Scenario scenario = load(dir);
        ScenarioRun run = ScenarioRun.run(scenario, new Decider(DEFAULT_LIMIT));
        List<Step> steps = run.steps();
        assertThat(ScenarioRun.run(scenario, new Decider(DEFAULT_LIMIT)).steps())
                .as("%s: the same facts must give the same outcomes (replay)", scenario.name()).isEqualTo(steps);
        checkInvariants(scenario, steps);

        JsonNode actual = run.rendered();
        if (UPDATE) {
            Path target = sourceDir(scenario.name()).resolve("expected.json");
            Files.writeString(target, Pretty.print(actual), StandardCharsets.UTF_8);
            System.out.println("updated " + target + "\n" + scenario.summary() + "\n" + run.trace() + "\n");
            return;
        }
        JsonNode expected = scenario.expected();
        if (!actual.equals(expected)) {
            fail("scenario %s: %s%n%s%n%nexpected.json says:%n%s%n%nthe decider did:%n%s%n%nwhat happened:%n%s%n"
                            + "(if the decider is right, rerun with -Dscenarios.update=true -Dscenarios.only=%s"
                            + " and review the file)",
                    scenario.name(), scenario.summary(), firstDifference(expected, actual),
                    expected == null ? "(no expected.json)" : Pretty.print(expected), Pretty.print(actual), run.trace(),
                    scenario.name());
        }
    }

    /** Where the two sides first part, so a long file need not be compared by eye. */
    static String firstDifference(JsonNode expected, JsonNode actual) {
        if (expected == null) {
            return "first difference: there is no expected.json";
        }
        ScenarioRun.Difference d = ScenarioRun.differences(expected, actual).get(0);
        return "first difference: " + d.where() + "\n  expected " + (d.expected() == null ? "nothing more"
                : Pretty.inline(d.expected())) + "\n  actual   " + (d.actual() == null ? "nothing more" : Pretty.inline(d.actual()));
    }

    // ---- invariants that hold in every scenario ----

    private static void checkInvariants(Scenario scenario, List<Step> steps) {
        Set<String> decisionIds = new HashSet<>();
        for (Step step : steps) {
            CloudEvent<? extends Fact> fact = step.fact();
            String where = scenario.name() + ", fact " + fact.id() + " (" + fact.data().describe() + ")";
            Outcome outcome = step.outcome();
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
                        assertThat(step.outcome().state().placement()).as("%s: the placement stays until the migration completes",
                                where).isEqualTo(step.before().placement());
                    }
                }
                if (command.data() instanceof StartGuest start) {
                    checkStart(where, step, start);
                    assertThat(command.epoch()).as("%s: %s carries its epoch", where, command.id()).isEqualTo(start.epoch());
                }
            }
            if (fact.data() instanceof MigrationCompleted) {
                assertThat(outcome.state().apps()).as("%s: a live migration never changes a restart budget", where)
                        .isEqualTo(step.before().apps());
            }
        }
    }

    /** Exactly one runner: a start only when no earlier placement may still run, as the next epoch, with fresh budgets. */
    private static void checkStart(String where, Step step, StartGuest start) {
        Placement before = step.before().placement();
        if (before.mayRun()) {
            Fact fact = step.fact().data();
            boolean released = fact instanceof GuestHalted h && h.host().equals(before.host())
                    || fact instanceof HostFenced f && f.host().equals(before.host())
                    || fact instanceof GuestStartFailed s && s.host().equals(before.host())
                    || fact instanceof HostLost l && l.host().equals(before.host())
                    && step.before().spec() != null && !step.before().spec().waitForFence();
            assertThat(released).as("%s: starts %s on %s while it may still run on %s (%s)", where, start.guest(),
                    start.host(), before.host(), before.phase()).isTrue();
        }
        assertThat(start.epoch()).as("%s: a start is the next epoch", where).isEqualTo(before.epoch() + 1);
        assertThat(step.outcome().state().apps()).as("%s: a start begins with fresh restart budgets", where).isEmpty();
        assertThat(step.outcome().state().placement().host()).as("%s: the placement follows the start", where)
                .isEqualTo(start.host());
    }

    private static void checkEnvelope(String where, Step step, CloudEvent<?> emitted) {
        CloudEvent<? extends Fact> fact = step.fact();
        assertThat(emitted.source()).as("%s: source of %s", where, emitted.id()).isEqualTo(Decider.SOURCE);
        assertThat(emitted.time()).as("%s: %s takes its fact's decision time", where, emitted.id()).isEqualTo(step.at());
        assertThat(emitted.guestId()).as("%s: %s is keyed by the guest", where, emitted.id()).isEqualTo(fact.guestId());
        assertThat(CODEC.decode(CODEC.encode(emitted))).as("%s: %s passes its schema and round-trips", where, emitted.id())
                .isEqualTo(emitted);
    }

    // ---- loading: the scenario reader of policy-core's main code, the one replay --scenario uses ----

    static Scenario load(Path dir) {
        return Scenario.read(dir.getFileName().toString(), file -> {
            Path path = dir.resolve(file);
            try {
                return Files.exists(path) ? Optional.of(Files.readString(path, StandardCharsets.UTF_8)) : Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
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
