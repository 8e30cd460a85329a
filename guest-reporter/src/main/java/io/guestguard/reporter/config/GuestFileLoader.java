package io.guestguard.reporter.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.guestguard.protocol.files.FieldReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and validates a guest's one YAML file, the whole of the reporter's own configuration:
 *
 * <pre>
 * guest: g1                               # required
 * kafka:
 *   bootstrap_servers: 127.0.0.1:9092     # optional
 *   security_protocol: SASL_SSL           # and sasl: and tls: ({@link GuestKafkaFields})
 * state_dir: /var/lib/guestguard/g1       # default: "state" beside this file; relative paths are too
 * heartbeat_interval: 1s
 * stop_grace: 5s                          # default for exec applications
 * outbox: {max_facts: 10000, fsync: true}
 * trust:                                  # optional: without it nothing is signed or checked
 *   root_key_file: keys/root-root.pub     # the operator root's public key; relative to this file
 *   key_file: keys/guest-g1.key           # this guest's private key (role guest, name = guest)
 * applications:
 *   - name: web                           # kind exec (the default): one long-running command
 *     command: python3 -m http.server 8080
 *     probes:
 *       - http: {url: http://127.0.0.1:8080/, status: 200}
 *   - name: db
 *     kind: script                        # start, stop and monitor command lines
 *     start: /opt/db/start.sh
 *     stop: /opt/db/stop.sh
 *     monitor: /opt/db/monitor.sh
 *   - name: dummy
 *     kind: ocf                           # an OCF resource agent, checked against its meta-data
 *     agent: ocf:heartbeat:Dummy
 *     params: {state: /tmp/x.state}
 * </pre>
 *
 * Collects every problem before failing, each as {@code FILE: FIELD: what is wrong; the fix}. Unknown
 * fields and duplicate keys are errors, because a misspelt optional field would otherwise leave its
 * default silently in force. OCF agents are asked for their meta-data here, so {@code --check} finds
 * a missing required parameter before anything starts.
 */
public final class GuestFileLoader {

    /** Where Debian and most distributions install OCF resource agents. */
    public static final Path DEFAULT_OCF_ROOT = Path.of("/usr/lib/ocf");

    private static final List<String> TOP_LEVEL = List.of("guest", "kafka", "state_dir", "heartbeat_interval",
            "stop_grace", "outbox", "applications", "trust");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final Path ocfRoot;

    /** Finds OCF agents under the {@code OCF_ROOT} environment variable, or {@link #DEFAULT_OCF_ROOT}. */
    public GuestFileLoader() {
        this(Optional.ofNullable(System.getenv("OCF_ROOT")).filter(s -> !s.isBlank()).map(Path::of).orElse(DEFAULT_OCF_ROOT));
    }

    public GuestFileLoader(Path ocfRoot) {
        this.ocfRoot = ocfRoot.toAbsolutePath();
    }

    /**
     * Reads and validates {@code file}.
     *
     * @throws InvalidConfigException listing every problem
     */
    public GuestSpec load(Path file) {
        JsonNode root;
        try {
            root = yaml.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new InvalidConfigException(List.of(file + ": not valid YAML" + where + ": "
                    + e.getOriginalMessage().strip().replaceAll("\\s*\\R\\s*", " ") + "; fix the syntax"));
        } catch (IOException e) {
            throw new InvalidConfigException(List.of(file + ": cannot be read (" + e + "); "
                    + "point guestguard.reporter.config-file at a readable YAML file"));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidConfigException(List.of(file + ": is empty or not a mapping; "
                    + "write 'guest: ID' and an 'applications:' list"));
        }
        FieldReader fields = new FieldReader(file);
        fields.unknownFields(root, TOP_LEVEL, "");
        String guest = fields.name(root.get("guest"), "guest", "the guest id");
        JsonNode kafka = kafka(root.get("kafka"), fields);
        Optional<String> servers = kafka == null ? Optional.empty() : Optional.ofNullable(fields.optionalText(
                kafka.get("bootstrap_servers"), "kafka.bootstrap_servers",
                "give host:port of one or more brokers, comma-separated, e.g. broker1:9092,broker2:9092"));
        Map<String, String> security = kafka == null ? Map.of() : GuestKafkaFields.read(kafka, file, fields);
        Path stateDir = stateDir(root.get("state_dir"), file, fields);
        Duration heartbeat = fields.duration(root.get("heartbeat_interval"), "heartbeat_interval", Duration.ofSeconds(1), Duration.ofMillis(1));
        Duration stopGrace = fields.duration(root.get("stop_grace"), "stop_grace", Duration.ofSeconds(5), Duration.ZERO);
        GuestSpec.Outbox outbox = outbox(root.get("outbox"), fields);
        GuestSpec.Trust trust = trust(root.get("trust"), file, fields);
        List<AppSpec> apps = new ApplicationReader(fields, new OcfReader(fields, ocfRoot)).read(root.get("applications"), stopGrace);
        if (!fields.problems().isEmpty()) {
            throw new InvalidConfigException(fields.problems());
        }
        return new GuestSpec(guest, servers, security, stateDir, heartbeat, stopGrace, outbox, apps, trust);
    }

    /** The {@code kafka:} mapping, or {@code null} if absent or not a mapping (a problem then). */
    private static JsonNode kafka(JsonNode kafka, FieldReader fields) {
        return kafka == null ? null
                : fields.mapping(kafka, "kafka", "write e.g. 'kafka: {bootstrap_servers: broker1:9092}', or remove it");
    }

    /** Relative to the file's own folder, so a file and its state move together. */
    private static Path stateDir(JsonNode node, Path file, FieldReader fields) {
        Path base = file.toAbsolutePath().getParent();
        String text = fields.optionalText(node, "state_dir", "give a folder for the outbox, journal and pid records, or remove the line for 'state' beside this file");
        return base.resolve(text == null ? "state" : text).normalize();
    }

    /**
     * The key files, relative to the file's own folder like the state folder. Only their presence is
     * checked here; the reporter reads them ({@code --check} and the start, with {@code AgentTrust.check}).
     */
    private static GuestSpec.Trust trust(JsonNode node, Path file, FieldReader fields) {
        if (node == null || fields.mapping(node, "trust", "write 'trust: {root_key_file: FILE, key_file: FILE}', or remove it") == null) {
            return GuestSpec.Trust.OFF;
        }
        fields.unknownFields(node, List.of("root_key_file", "key_file"), "trust.");
        Path base = file.toAbsolutePath().getParent();
        Optional<Path> rootFile = Optional.ofNullable(fields.optionalText(node.get("root_key_file"), "trust.root_key_file",
                "give the operator root's public key file (root-NAME.pub), or remove trust to run unsigned")).map(base::resolve);
        Optional<Path> keyFile = Optional.ofNullable(fields.optionalText(node.get("key_file"), "trust.key_file",
                "give this guest's private key file (guest-ID.key)")).map(base::resolve);
        if (rootFile.isPresent() && keyFile.isEmpty()) {
            fields.problem("trust.key_file", "missing; give this guest's private key file (guestguard keys create --role guest "
                    + "--name GUEST inside the guest, then register its .pub), or remove trust.root_key_file to run unsigned");
        }
        return new GuestSpec.Trust(rootFile, keyFile);
    }

    private static GuestSpec.Outbox outbox(JsonNode node, FieldReader fields) {
        if (node == null || fields.mapping(node, "outbox", "write e.g. 'outbox: {max_facts: 10000, fsync: true}', or remove it for those defaults") == null) {
            return new GuestSpec.Outbox(10_000, true);
        }
        fields.unknownFields(node, List.of("max_facts", "fsync"), "outbox.");
        return new GuestSpec.Outbox(fields.integer(node.get("max_facts"), "outbox.max_facts", 10_000, 10, Integer.MAX_VALUE),
                fields.flag(node.get("fsync"), "outbox.fsync", true));
    }
}
