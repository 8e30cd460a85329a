package io.guestguard.cli;

import io.guestguard.protocol.Durations;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.files.FieldReader;
import io.guestguard.protocol.PackageSpec.AppPolicy;
import io.guestguard.protocol.PackageSpec.Backoff;
import io.guestguard.protocol.PackageSpec.FailbackPolicy;
import io.guestguard.protocol.PackageSpec.FailoverPolicy;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads one guest package file, in Serviceguard's vocabulary with modern defaults, into the
 * {@link PackageSpec} that {@code guestguard apply} puts on the guest log:
 *
 * <pre>
 * package: g1                        # the guest id
 * hosts: [primary, standby]          # eligible hosts, most preferred first
 * failover_policy: configured_node   # or min_package_node
 * failback_policy: manual            # or automatic
 * auto_run: true
 * wait_for_fence: true
 * applications:
 *   - name: app1                     # as the guest file names it
 *     service_restart: 3             # none | N | unlimited
 *     failure_window: 10m            # or never
 *     backoff: {initial: 1s, factor: 2, max: 30s}
 * </pre>
 *
 * Every problem is collected before failing, each as {@code FILE: FIELD: what is wrong; the fix}.
 * Unknown fields are errors rather than ignored, because a misspelt optional field would otherwise
 * leave its default silently in force, and a duplicated key is a syntax error for the same reason.
 */
public final class PackageFileLoader {

    /** Serviceguard's {@code service_restart} when the file does not set it. */
    public static final int DEFAULT_RESTART_LIMIT = 3;
    /** Failures older than this expire when the file does not say otherwise. */
    public static final long DEFAULT_FAILURE_WINDOW_MS = 600_000;
    /** Restart at once: with an initial delay of 0 every delay is 0, whatever the factor. */
    public static final Backoff DEFAULT_BACKOFF = new Backoff(0, 2, 30_000);

    private static final List<String> PACKAGE_FIELDS = List.of("package", "hosts", "failover_policy", "failback_policy",
            "auto_run", "wait_for_fence", "applications");
    private static final List<String> APP_FIELDS = List.of("name", "service_restart", "failure_window", "backoff");
    /** What packages once carried, and the guest file holds: how an application runs. */
    private static final List<String> GUEST_FILE_FIELDS = List.of("kind", "command", "service_cmd");
    private static final List<String> BACKOFF_FIELDS = List.of("initial", "factor", "max");
    /** Serviceguard's names for fields GuestGuard names differently: what a Serviceguard operator types first. */
    private static final Map<String, String> SERVICEGUARD_NAMES = Map.of("package_name", "package", "node_name", "hosts",
            "service_name", "name");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /**
     * Reads and validates {@code file}.
     *
     * @throws InvalidPackageException listing every problem, when the file cannot be read or is invalid
     */
    public PackageSpec load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidPackageException(List.of(file + ": no such file; check the path (an example is deploy/packages/g1.yaml)"));
        } catch (AccessDeniedException e) {
            throw new InvalidPackageException(List.of(file + ": cannot be read (permission denied); make it readable or run as its owner"));
        } catch (IOException e) {
            throw new InvalidPackageException(List.of(file + ": cannot be read (" + e.getMessage() + "); give the path of a package YAML file"));
        }
        JsonNode root;
        try {
            root = yaml.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidPackageException(List.of(file + ": not valid YAML" + syntaxProblem(e) + "; fix the syntax"));
        } catch (IOException e) {
            throw new InvalidPackageException(List.of(file + ": cannot be read (" + e.getMessage() + "); give the path of a package YAML file"));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidPackageException(List.of(file + ": is empty or not a mapping; "
                    + "write at least 'package: ID', a 'hosts:' list and an 'applications:' list"));
        }
        return new Reader(file).read(root);
    }

    /**
     * {@code " at line N: what"}, one line. SnakeYAML's own message spans lines with a caret
     * drawing; its parts read better in one problem line.
     */
    private static String syntaxProblem(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblem() != null) {
            String where = marked.getProblemMark() == null ? "" : " at line " + (marked.getProblemMark().getLine() + 1);
            String context = marked.getContext() == null ? "" : " (" + marked.getContext()
                    + (marked.getContextMark() == null ? "" : " from line " + (marked.getContextMark().getLine() + 1)) + ")";
            return where + ": " + marked.getProblem() + context;
        }
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
        return where + ": " + e.getOriginalMessage().strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The state of reading one file: the problems found so far. */
    private static final class Reader {

        private final FieldReader fields;

        Reader(Path file) {
            this.fields = new FieldReader(file, Reader::hint);
        }

        PackageSpec read(JsonNode root) {
            fields.unknownFields(root, PACKAGE_FIELDS, "");
            String guest = fields.name(root.get("package"), "package", "the guest id");
            List<String> hosts = hosts(root.get("hosts"));
            FailoverPolicy failover = fields.choice(root.get("failover_policy"), "failover_policy", "failover policy",
                    FailoverPolicy.class, FailoverPolicy.CONFIGURED_NODE);
            FailbackPolicy failback = fields.choice(root.get("failback_policy"), "failback_policy", "failback policy",
                    FailbackPolicy.class, FailbackPolicy.MANUAL);
            boolean autoRun = fields.flag(root.get("auto_run"), "auto_run", true);
            boolean waitForFence = fields.flag(root.get("wait_for_fence"), "wait_for_fence", true);
            List<AppPolicy> applications = applications(root.get("applications"));
            if (fields.problemCount() > 0) {
                throw new InvalidPackageException(fields.problems());
            }
            return new PackageSpec(guest, hosts, failover, failback, autoRun, waitForFence, applications);
        }

        private List<String> hosts(JsonNode node) {
            List<String> hosts = new ArrayList<>();
            if (node == null || node.isNull()) {
                problem("hosts", "missing; list the hosts the guest may run on, most preferred first, e.g. [primary, standby]");
            } else if (!node.isArray()) {
                problem("hosts", describe(node) + " is not a list; write the hosts as a list, most preferred first, e.g. [primary, standby]");
            } else if (node.isEmpty()) {
                problem("hosts", "empty; list at least one host the guest may run on, e.g. [primary, standby]");
            } else {
                for (int i = 0; i < node.size(); i++) {
                    String field = "hosts[" + i + "]";
                    String host = fields.name(node.get(i), field, "a host id");
                    if (host != null && hosts.contains(host)) {
                        problem(field, "'" + host + "' is listed twice; list each host once");
                    } else if (host != null) {
                        hosts.add(host);
                    }
                }
            }
            return hosts;
        }

        private List<AppPolicy> applications(JsonNode node) {
            List<AppPolicy> apps = new ArrayList<>();
            if (node == null || node.isNull()) {
                problem("applications", "missing; list at least one application by the name its guest file gives it");
            } else if (!node.isArray()) {
                problem("applications", describe(node) + " is not a list; write each application as a list item "
                        + "('- name: ...')");
            } else if (node.isEmpty()) {
                problem("applications", "empty; list at least one application by the name its guest file gives it");
            } else {
                Set<String> names = new HashSet<>();
                for (int i = 0; i < node.size(); i++) {
                    application(node.get(i), "applications[" + i + "]", names).ifPresent(apps::add);
                }
            }
            return apps;
        }

        private Optional<AppPolicy> application(JsonNode app, String field, Set<String> names) {
            if (!app.isObject()) {
                problem(field, describe(app) + " is not a mapping; give the application at least 'name:'");
                return Optional.empty();
            }
            int before = fields.problemCount();
            fields.unknownFields(app, APP_FIELDS, field + ".");
            String name = fields.name(app.get("name"), field + ".name", "the application's name");
            if (name != null && !names.add(name)) {
                problem(field + ".name", "'" + name + "' is used twice; give each application its own name");
            }
            Integer restartLimit = restartLimit(app.get("service_restart"), field + ".service_restart");
            Long failureWindow = failureWindow(app.get("failure_window"), field + ".failure_window");
            Backoff backoff = backoff(app.get("backoff"), field + ".backoff");
            if (fields.problemCount() > before) {
                return Optional.empty();
            }
            return Optional.of(new AppPolicy(name, restartLimit, failureWindow, backoff));
        }

        /** {@code none} is 0 restarts, {@code unlimited} is {@code null}, as {@link AppPolicy#restartLimit()} has it. */
        private Integer restartLimit(JsonNode node, String field) {
            String fix = "use none, a number of restarts (0 or more) or unlimited";
            if (node == null) {
                return DEFAULT_RESTART_LIMIT;
            }
            if (node.isNull()) {
                problem(field, "has no value; " + fix + ", or remove the line for the default " + DEFAULT_RESTART_LIMIT);
                return DEFAULT_RESTART_LIMIT;
            }
            if (node.isIntegralNumber() && node.canConvertToInt() && node.intValue() >= 0) {
                return node.intValue();
            }
            if (node.isTextual() && node.asText().equals("none")) {
                return 0;
            }
            if (node.isTextual() && node.asText().equals("unlimited")) {
                return null;
            }
            problem(field, describe(node) + " is not a restart limit; " + fix);
            return DEFAULT_RESTART_LIMIT;
        }

        /** {@code never} is {@code null}, as {@link AppPolicy#failureWindowMs()} has it. */
        private Long failureWindow(JsonNode node, String field) {
            String fix = Durations.SYNTAX + ", or never";
            if (node == null) {
                return DEFAULT_FAILURE_WINDOW_MS;
            }
            if (node.isNull()) {
                problem(field, "has no value; " + fix + ", or remove the line for the default "
                        + Durations.format(DEFAULT_FAILURE_WINDOW_MS));
                return DEFAULT_FAILURE_WINDOW_MS;
            }
            if (node.isTextual() && node.asText().equals("never")) {
                return null;
            }
            OptionalLong millis = node.isValueNode() ? Durations.parseMillis(node.asText()) : OptionalLong.empty();
            if (millis.isEmpty()) {
                problem(field, describe(node) + " is not a duration; " + fix);
                return DEFAULT_FAILURE_WINDOW_MS;
            }
            if (millis.getAsLong() == 0) {
                problem(field, describe(node) + " would forget every failure at once; use a duration above 0, or never "
                        + "(for restarts without a limit, write service_restart: unlimited)");
                return DEFAULT_FAILURE_WINDOW_MS;
            }
            return millis.getAsLong();
        }

        private Backoff backoff(JsonNode node, String field) {
            if (node == null) {
                return DEFAULT_BACKOFF;
            }
            if (node.isNull() || !node.isObject()) {
                String what = node.isNull() ? "has no value" : describe(node) + " is not a mapping";
                problem(field, what + "; give initial, factor and max, e.g. {initial: 1s, factor: 2, max: 30s}, "
                        + "or remove the line to restart at once");
                return DEFAULT_BACKOFF;
            }
            fields.unknownFields(node, BACKOFF_FIELDS, field + ".");
            OptionalLong initial = duration(node.get("initial"), field + ".initial", DEFAULT_BACKOFF.initialMs());
            double factor = factor(node.get("factor"), field + ".factor");
            OptionalLong max = duration(node.get("max"), field + ".max", DEFAULT_BACKOFF.maxMs());
            if (initial.isEmpty() || max.isEmpty()) {
                return DEFAULT_BACKOFF;
            }
            if (max.getAsLong() < initial.getAsLong()) {
                String maxText = node.has("max") ? describe(node.get("max")) : "the default " + Durations.format(DEFAULT_BACKOFF.maxMs());
                String initialText = node.has("initial") ? describe(node.get("initial")) : Durations.format(initial.getAsLong());
                problem(field + ".max", maxText + " is shorter than initial " + initialText
                        + "; set max to " + Durations.format(initial.getAsLong()) + " or more");
            }
            return new Backoff(initial.getAsLong(), factor, max.getAsLong());
        }

        /** The duration in milliseconds, the default when absent, or empty (and a problem) when invalid. */
        private OptionalLong duration(JsonNode node, String field, long defaultMs) {
            if (node == null) {
                return OptionalLong.of(defaultMs);
            }
            if (node.isNull()) {
                problem(field, "has no value; " + Durations.SYNTAX + ", or remove the line for the default " + Durations.format(defaultMs));
                return OptionalLong.empty();
            }
            OptionalLong millis = node.isValueNode() ? Durations.parseMillis(node.asText()) : OptionalLong.empty();
            if (millis.isEmpty()) {
                problem(field, describe(node) + " is not a duration; " + Durations.SYNTAX);
            }
            return millis;
        }

        private double factor(JsonNode node, String field) {
            if (node == null) {
                return DEFAULT_BACKOFF.factor();
            }
            if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
                problem(field, (node.isNull() ? "has no value" : describe(node) + " is not a number")
                        + "; write a number of at least 1, e.g. 2");
            } else if (node.doubleValue() < 1) {
                problem(field, describe(node) + " would make each delay shorter than the one before; "
                        + "use 1 for a constant delay, or more to grow it, e.g. 2");
            } else {
                return node.doubleValue();
            }
            return DEFAULT_BACKOFF.factor();
        }

        /** A Serviceguard name, or an application's field written at the top of the file. */
        private static String hint(String name, List<String> known) {
            String serviceguard = SERVICEGUARD_NAMES.get(name);
            if (serviceguard != null && known.contains(serviceguard)) {
                return "GuestGuard calls Serviceguard's " + name + " '" + serviceguard + "'.";
            }
            if (known.equals(APP_FIELDS) && GUEST_FILE_FIELDS.contains(name)) {
                return "how an application runs (its kind and command) is set in the guest file its reporter reads "
                        + "(docs/operations.md, \"The guest file\"); remove " + name + " here.";
            }
            if (known.equals(PACKAGE_FIELDS) && APP_FIELDS.contains(name)) {
                return name + " is set on each application, under applications.";
            }
            return null;
        }

        private void problem(String field, String message) {
            fields.problem(field, message);
        }

        private static String describe(JsonNode node) {
            return FieldReader.describe(node);
        }
    }
}
