package io.guestguard.reporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.files.FieldReader;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an application's {@code probes:} list. Each entry has exactly one of {@code tcp},
 * {@code http} and {@code pidfile}, and the timing shared by all probes.
 */
final class ProbeReader {

    static final Duration INTERVAL = Duration.ofSeconds(5);
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final int FAILURE_THRESHOLD = 3;
    static final Duration START_GRACE = Duration.ofSeconds(10);

    private static final List<String> TARGETS = List.of("tcp", "http", "pidfile");
    private static final List<String> FIELDS = List.of("tcp", "http", "pidfile", "interval", "timeout",
            "failure_threshold", "start_grace");
    private static final String EXAMPLE = "e.g. '- tcp: {host: 127.0.0.1, port: 8080}', "
            + "'- http: {url: http://127.0.0.1:8080/health}' or '- pidfile: {path: /run/app.pid}'";

    private final FieldReader fields;

    ProbeReader(FieldReader fields) {
        this.fields = fields;
    }

    List<ProbeSpec> read(JsonNode list, String field) {
        List<ProbeSpec> probes = new ArrayList<>();
        if (list == null) {
            return probes;
        }
        if (!list.isArray()) {
            fields.problem(field, FieldReader.describe(list) + " is not a list; write each probe as a list item, " + EXAMPLE);
            return probes;
        }
        for (int i = 0; i < list.size(); i++) {
            ProbeSpec probe = probe(list.get(i), field + "[" + i + "]");
            if (probe != null) {
                probes.add(probe);
            }
        }
        return probes;
    }

    private ProbeSpec probe(JsonNode node, String field) {
        if (fields.mapping(node, field, "write one of tcp, http or pidfile, " + EXAMPLE) == null) {
            return null;
        }
        fields.unknownFields(node, FIELDS, field + ".");
        List<String> present = TARGETS.stream().filter(node::has).toList();
        Duration interval = fields.duration(node.get("interval"), field + ".interval", INTERVAL, Duration.ofMillis(1));
        Duration timeout = fields.duration(node.get("timeout"), field + ".timeout", TIMEOUT, Duration.ofMillis(1));
        int threshold = fields.integer(node.get("failure_threshold"), field + ".failure_threshold", FAILURE_THRESHOLD, 1, 1000);
        Duration startGrace = fields.duration(node.get("start_grace"), field + ".start_grace", START_GRACE, Duration.ZERO);
        if (present.size() != 1) {
            fields.problem(field, (present.isEmpty() ? "says nothing to check" : "has " + String.join(" and ", present))
                    + "; give exactly one of tcp, http or pidfile per probe, " + EXAMPLE);
            return null;
        }
        String kind = present.get(0);
        ProbeSpec.Target target = switch (kind) {
            case "tcp" -> tcp(node.get(kind), field + ".tcp");
            case "http" -> http(node.get(kind), field + ".http");
            default -> pidfile(node.get(kind), field + ".pidfile");
        };
        return target == null ? null : new ProbeSpec(target, interval, timeout, threshold, startGrace);
    }

    private ProbeSpec.Target tcp(JsonNode node, String field) {
        if (fields.mapping(node, field, "give the port, e.g. {host: 127.0.0.1, port: 8080}") == null) {
            return null;
        }
        fields.unknownFields(node, List.of("host", "port"), field + ".");
        String host = node.has("host") ? fields.text(node.get("host"), field + ".host", "give a host name or address, or remove the line for 127.0.0.1") : "127.0.0.1";
        Integer port = fields.requiredInteger(node.get("port"), field + ".port", 1, 65535, "8080");
        return host == null || port == null ? null : new ProbeSpec.Tcp(host, port);
    }

    private ProbeSpec.Target http(JsonNode node, String field) {
        if (fields.mapping(node, field, "give the url, e.g. {url: http://127.0.0.1:8080/health, status: 200}") == null) {
            return null;
        }
        fields.unknownFields(node, List.of("url", "status"), field + ".");
        String text = fields.text(node.get("url"), field + ".url", "give an http or https URL, e.g. http://127.0.0.1:8080/health");
        int status = fields.integer(node.get("status"), field + ".status", 200, 100, 599);
        if (text == null) {
            return null;
        }
        try {
            URI url = new URI(text);
            if (("http".equals(url.getScheme()) || "https".equals(url.getScheme())) && url.getHost() != null) {
                return new ProbeSpec.Http(url, status);
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        fields.problem(field + ".url", "'" + text + "' is not an http or https URL; write one with a host, e.g. http://127.0.0.1:8080/health");
        return null;
    }

    private ProbeSpec.Target pidfile(JsonNode node, String field) {
        if (fields.mapping(node, field, "give the path, e.g. {path: /run/app.pid}") == null) {
            return null;
        }
        fields.unknownFields(node, List.of("path"), field + ".");
        String text = fields.text(node.get("path"), field + ".path", "give the absolute path of the pid file, e.g. /run/app.pid");
        if (text == null) {
            return null;
        }
        if (!text.startsWith("/")) {
            fields.problem(field + ".path", "'" + text + "' is not an absolute path; start it with /, e.g. /run/app.pid");
            return null;
        }
        return new ProbeSpec.Pidfile(Path.of(text));
    }
}
