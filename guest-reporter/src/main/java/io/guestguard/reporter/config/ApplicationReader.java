package io.guestguard.reporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.files.FieldReader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads the {@code applications:} list: each entry's kind decides which fields it may have, so a
 * field of another kind (a {@code command} on a script application) is reported, not ignored.
 */
final class ApplicationReader {

    static final ActionTimeouts SCRIPT_TIMEOUTS = new ActionTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofSeconds(60), Duration.ofSeconds(60));
    static final ActionTimeouts OCF_TIMEOUTS = new ActionTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(20),
            Duration.ofSeconds(20), Duration.ofSeconds(20));

    private static final List<String> COMMON = List.of("name", "kind", "probes");
    private static final List<String> TIMING = List.of("monitor_interval", "monitor_timeout", "start_timeout", "stop_timeout");
    private static final Map<String, List<String>> FIELDS = Map.of(
            "exec", fields(List.of("command", "stop_grace")),
            "script", fields(List.of("start", "stop", "monitor"), TIMING),
            "ocf", fields(List.of("agent", "params"), TIMING));
    private static final Duration SHORTEST = Duration.ofMillis(1);

    private final FieldReader fields;
    private final ProbeReader probes;
    private final OcfReader ocf;

    ApplicationReader(FieldReader fields, OcfReader ocf) {
        this.fields = fields;
        this.probes = new ProbeReader(fields);
        this.ocf = ocf;
    }

    List<AppSpec> read(JsonNode list, Duration defaultStopGrace) {
        List<AppSpec> apps = new ArrayList<>();
        if (list == null || !list.isArray() || list.isEmpty()) {
            fields.problem("applications", "missing or empty; list at least one application with a name and a command");
            return apps;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            AppSpec app = application(list.get(i), "applications[" + i + "]", names, defaultStopGrace);
            if (app != null) {
                apps.add(app);
            }
        }
        return apps;
    }

    private AppSpec application(JsonNode app, String field, Set<String> names, Duration defaultStopGrace) {
        if (!app.isObject()) {
            fields.problem(field, FieldReader.describe(app) + " is not a mapping; give it 'name:' and 'command:'");
            return null;
        }
        int before = fields.problemCount();
        String name = fields.name(app.get("name"), field + ".name", "the application's name");
        if (name != null && !names.add(name)) {
            fields.problem(field + ".name", "'" + name + "' is used twice; give each application its own name");
        }
        String kind = kind(app.get("kind"), field + ".kind");
        if (kind == null) {
            return null;
        }
        fields.unknownFields(app, FIELDS.get(kind), field + ".");
        List<ProbeSpec> probeSpecs = probes.read(app.get("probes"), field + ".probes");
        AppSpec spec = switch (kind) {
            case "exec" -> exec(app, field, name, defaultStopGrace, probeSpecs);
            case "script" -> script(app, field, name, probeSpecs);
            default -> ocf(app, field, name, probeSpecs);
        };
        return fields.problemCount() > before ? null : spec;
    }

    private String kind(JsonNode node, String field) {
        if (node == null) {
            return "exec";
        }
        if (node.isTextual() && FIELDS.containsKey(node.asText())) {
            return node.asText();
        }
        fields.problem(field, (node.isNull() ? "has no value" : FieldReader.describe(node) + " is not a kind of application")
                + "; use exec (one long-running command), script (start, stop and monitor command lines) or ocf "
                + "(an OCF resource agent), or remove the line for exec");
        return null;
    }

    private AppSpec exec(JsonNode app, String field, String name, Duration defaultStopGrace, List<ProbeSpec> probeSpecs) {
        String command = fields.text(app.get("command"), field + ".command",
                "give the command line that starts the application, e.g. 'sleep 86400'");
        Duration stopGrace = fields.duration(app.get("stop_grace"), field + ".stop_grace", defaultStopGrace, Duration.ZERO);
        return new ExecApp(name, command, stopGrace, probeSpecs);
    }

    private AppSpec script(JsonNode app, String field, String name, List<ProbeSpec> probeSpecs) {
        String start = fields.text(app.get("start"), field + ".start", "give the command line that starts the application and exits 0 once it runs, e.g. /opt/db/start.sh");
        String stop = fields.text(app.get("stop"), field + ".stop", "give the command line that stops the application and exits 0 once it stopped, e.g. /opt/db/stop.sh");
        String monitor = fields.text(app.get("monitor"), field + ".monitor", "give the command line that exits 0 while the application is healthy, e.g. /opt/db/monitor.sh");
        return new ScriptApp(name, start, stop, monitor, timeouts(app, field, SCRIPT_TIMEOUTS), probeSpecs);
    }

    private AppSpec ocf(JsonNode app, String field, String name, List<ProbeSpec> probeSpecs) {
        OcfAgent agent = ocf.agent(app.get("agent"), field + ".agent");
        Map<String, String> params = ocf.params(agent, app.get("params"), field + ".agent", field + ".params");
        return new OcfApp(name, agent, params, timeouts(app, field, OCF_TIMEOUTS), probeSpecs);
    }

    private ActionTimeouts timeouts(JsonNode app, String field, ActionTimeouts defaults) {
        return new ActionTimeouts(
                fields.duration(app.get("monitor_interval"), field + ".monitor_interval", defaults.monitorInterval(), SHORTEST),
                fields.duration(app.get("monitor_timeout"), field + ".monitor_timeout", defaults.monitorTimeout(), SHORTEST),
                fields.duration(app.get("start_timeout"), field + ".start_timeout", defaults.startTimeout(), SHORTEST),
                fields.duration(app.get("stop_timeout"), field + ".stop_timeout", defaults.stopTimeout(), SHORTEST));
    }

    @SafeVarargs
    private static List<String> fields(List<String>... groups) {
        return Stream.concat(COMMON.stream(), Stream.of(groups).flatMap(List::stream)).toList();
    }
}
