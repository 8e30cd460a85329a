package io.guestguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.guestguard.cli.acls.FleetAcls;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.kafka.TopicPlan;
import org.apache.kafka.common.config.TopicConfig;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The manifests of {@code deploy/kubernetes/}, and every check {@link KubernetesManifestsTest} makes
 * of them, each returning its problems as {@code FILE: KIND NAME: FIELD: what is wrong; the fix}
 * (empty when there is none), so that a test can also show that each check refuses a broken manifest.
 *
 * <p>Two kinds of check: the committed JSON schemas (the Kubernetes types, with unknown fields
 * refused as {@code kubectl --validate=strict} does, and the Strimzi CRDs' {@code openAPIV3Schema}:
 * {@code src/test/resources/kubernetes/README.md} says where they come from), and GuestGuard's own
 * rules, which take their truth from the code: {@link TopicPlan} for the topics, {@code guestguard
 * acls --format STRIMZI} for the users, the service's settings for its workload.
 */
final class KubernetesManifests {

    static final Path DIR = Path.of("..", "deploy", "kubernetes");
    static final String STRIMZI_API = "kafka.strimzi.io/v1beta2";
    /** What TopicPlan gives a topic of 3 replicas and the deployment sets on every topic: a record acknowledged by 2 of 3 replicas. */
    static final String MIN_INSYNC_REPLICAS = Integer.toString(TopicPlan.minInsyncReplicas(3));
    /** The Kafka Streams workloads, by StatefulSet name, and the Kafka user each must run as. */
    static final Map<String, String> STREAMS_USERS = Map.of(
            "guestguard-policy-engine", FleetAcls.ENGINE_USER,
            "guestguard-migration-watcher", FleetAcls.WATCHER_USER);
    /** Every central service's workload and its Kafka user: the console too. */
    static final Map<String, String> SERVICE_USERS = Map.of(
            "guestguard-policy-engine", FleetAcls.ENGINE_USER,
            "guestguard-migration-watcher", FleetAcls.WATCHER_USER,
            "guestguard-console", FleetAcls.CONSOLE_USER);

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

    /** One document of a manifest file. */
    record Doc(String file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        String where() {
            return "deploy/kubernetes/" + file + ": " + kind() + " " + name();
        }
    }

    private KubernetesManifests() {
    }

    /** Every document of every {@code *.yaml} file in {@link #DIR}, in file order. */
    static List<Doc> load() {
        List<Doc> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll().stream()
                        .filter(node -> node != null && !node.isNull() && !node.isEmpty())
                        .forEach(node -> docs.add(new Doc(file.getFileName().toString(), node)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DIR, e);
        }
        return docs;
    }

    static Stream<Doc> ofKind(List<Doc> docs, String kind) {
        return docs.stream().filter(d -> d.kind().equals(kind));
    }

    // ---- the committed schemas

    private static final Map<String, JsonSchema> CACHE = new HashMap<>();

    /** The committed schemas' complaints about {@code doc}: its kind's, and for a Strimzi resource, its metadata's. */
    static List<String> schemaProblems(Doc doc) {
        String apiVersion = doc.node().path("apiVersion").asText();
        List<String> problems = new ArrayList<>();
        if (apiVersion.equals(STRIMZI_API)) {
            JsonSchema crd = strimzi(doc.kind());
            if (crd == null) {
                return List.of(doc.where() + ": kind: no Strimzi CRD schema committed for " + doc.kind()
                        + "; add it (cli/src/test/resources/kubernetes/README.md)");
            }
            crd.validate(doc.node()).forEach(m -> problems.add(doc.where() + ": " + message(m)));
            // The CRDs say only 'metadata: object'; the API server checks it as any object's.
            kubernetes("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").validate(doc.node().path("metadata"))
                    .forEach(m -> problems.add(doc.where() + ": metadata" + message(m).substring(1)));
        } else {
            String definition = definition(apiVersion, doc.kind());
            JsonSchema schema = definition == null ? null : kubernetes(definition);
            if (schema == null) {
                return List.of(doc.where() + ": apiVersion/kind: no schema committed for " + apiVersion + " " + doc.kind()
                        + "; add its definition to extract.py's ROOTS (cli/src/test/resources/kubernetes/README.md)");
            }
            schema.validate(doc.node()).forEach(m -> problems.add(doc.where() + ": " + message(m)));
        }
        return problems;
    }

    /** networknt's message names the field as a JSON path ({@code $.spec.replica: ...}). */
    private static String message(ValidationMessage m) {
        return m.getMessage();
    }

    /** {@code apps/v1} and {@code Deployment} are {@code io.k8s.api.apps.v1.Deployment}; {@code v1} is the core group. */
    private static String definition(String apiVersion, String kind) {
        String[] parts = apiVersion.split("/");
        if (parts.length == 1) {
            return "io.k8s.api.core." + parts[0] + "." + kind;
        }
        if (parts[0].contains(".")) {
            return null; // a group of someone else's: its own schema, or none
        }
        return "io.k8s.api." + parts[0] + "." + parts[1] + "." + kind;
    }

    private static synchronized JsonSchema kubernetes(String definition) {
        return CACHE.computeIfAbsent("k8s:" + definition, key -> {
            ObjectNode root = (ObjectNode) resource("/kubernetes/kubernetes.strict.schema.json");
            if (!root.path("definitions").has(definition)) {
                return null;
            }
            // The whole file with a $ref at its root: the definition, and every one it refers to.
            root.put("$ref", "#/definitions/" + definition);
            return SCHEMAS.getSchema(root);
        });
    }

    private static synchronized JsonSchema strimzi(String kind) {
        String file = "/kubernetes/strimzi-" + kind.toLowerCase(Locale.ROOT) + ".v1beta2.schema.json";
        return CACHE.computeIfAbsent("strimzi:" + kind, key -> {
            JsonNode schema = resourceOrNull(file);
            return schema == null ? null : SCHEMAS.getSchema(schema);
        });
    }

    private static JsonNode resource(String name) {
        return Objects.requireNonNull(resourceOrNull(name), name + " is not on the test class path");
    }

    private static JsonNode resourceOrNull(String name) {
        try (InputStream in = KubernetesManifests.class.getResourceAsStream(name)) {
            return in == null ? null : JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(name, e);
        }
    }

    // ---- GuestGuard's rules

    /** The topic prefix the services are given (ConfigMap guestguard-kafka), as their Topics. */
    static Topics topics(List<Doc> docs) {
        return new Topics(ofKind(docs, "ConfigMap").filter(d -> d.name().equals("guestguard-kafka"))
                .map(d -> d.node().path("data").path("GUESTGUARD_TOPIC_PREFIX").asText(Topics.DEFAULT_PREFIX))
                .findFirst().orElse(Topics.DEFAULT_PREFIX));
    }

    /** The one Strimzi Kafka cluster's name: the label every KafkaTopic and KafkaUser must carry. */
    static String cluster(List<Doc> docs) {
        return ofKind(docs, "Kafka").map(Doc::name).findFirst().orElse("guestguard");
    }

    /**
     * Every topic of {@link Topics} has exactly one KafkaTopic, and none other exists; each has the
     * partitions and replicas {@code guestguard topics create} defaults to, and exactly
     * {@link TopicPlan#required}'s configuration plus {@code min.insync.replicas}.
     */
    static List<String> topicProblems(List<Doc> docs) {
        Topics topics = topics(docs);
        CommandLine.Model.CommandSpec create = new CommandLine(new TopicsCommand.Create()).getCommandSpec();
        int partitions = Integer.parseInt(create.findOption("--partitions").defaultValue());
        int replicas = Integer.parseInt(create.findOption("--replication-factor").defaultValue());
        String cluster = cluster(docs);
        List<String> problems = new ArrayList<>();
        Map<String, List<Doc>> byTopic = new TreeMap<>();
        ofKind(docs, "KafkaTopic").forEach(d -> byTopic.computeIfAbsent(
                d.node().path("spec").path("topicName").asText(d.name()), t -> new ArrayList<>()).add(d));
        for (String topic : topics.all()) {
            List<Doc> found = byTopic.getOrDefault(topic, List.of());
            if (found.size() != 1) {
                problems.add("deploy/kubernetes/topics.yaml: KafkaTopic " + topic + ": " + found.size()
                        + " KafkaTopics have spec.topicName " + topic + "; expected exactly one, as TopicPlan defines it");
                continue;
            }
            Doc doc = found.get(0);
            JsonNode spec = doc.node().path("spec");
            if (spec.path("partitions").asInt() != partitions) {
                problems.add(doc.where() + ": spec.partitions: is " + spec.path("partitions") + ", expected " + partitions
                        + "; every GuestGuard topic has the same number (guestguard topics create's default)");
            }
            if (spec.path("replicas").asInt() != replicas) {
                problems.add(doc.where() + ": spec.replicas: is " + spec.path("replicas") + ", expected " + replicas);
            }
            Map<String, String> expected = new TreeMap<>(TopicPlan.required(topics, topic));
            expected.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, MIN_INSYNC_REPLICAS);
            Map<String, String> actual = new TreeMap<>();
            spec.path("config").properties().forEach(e -> actual.put(e.getKey(), e.getValue().asText()));
            if (!actual.equals(expected)) {
                problems.add(doc.where() + ": spec.config: is " + actual + ", expected " + expected
                        + " (TopicPlan.required and min.insync.replicas " + MIN_INSYNC_REPLICAS + ")");
            }
            if (!doc.node().path("metadata").path("labels").path("strimzi.io/cluster").asText().equals(cluster)) {
                problems.add(doc.where() + ": metadata.labels.strimzi.io/cluster: expected " + cluster
                        + "; the topic operator ignores a topic of another cluster");
            }
        }
        byTopic.keySet().stream().filter(t -> !topics.all().contains(t)).forEach(t -> problems.add(
                "deploy/kubernetes/" + byTopic.get(t).get(0).file() + ": KafkaTopic " + byTopic.get(t).get(0).name()
                        + ": spec.topicName: " + t + " is no GuestGuard topic (Topics.all()); remove it or add it to the code"));
        return problems;
    }

    /**
     * The KafkaUsers are exactly what {@code guestguard acls --format STRIMZI} prints for this
     * cluster (the services' users and the default operator; hosts' and guests' users are per fleet,
     * docs/deployment.md): the same users, authentication and ACLs, however grouped or ordered.
     */
    static List<String> userProblems(List<Doc> docs) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new GuestGuardCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute("acls", "--format", "STRIMZI", "--cluster", cluster(docs), "--topic-prefix", topics(docs).prefix());
        if (exit != 0) {
            throw new IllegalStateException("guestguard acls failed (" + exit + "): " + err);
        }
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        try {
            YAML.readerFor(JsonNode.class).<JsonNode>readValues(out.toString()).readAll()
                    .forEach(user -> expected.put(user.path("metadata").path("name").asText(), grants(user)));
        } catch (IOException e) {
            throw new UncheckedIOException("guestguard acls printed no YAML", e);
        }
        List<String> problems = new ArrayList<>();
        Map<String, Doc> users = new LinkedHashMap<>();
        ofKind(docs, "KafkaUser").forEach(d -> {
            if (users.put(d.name(), d) != null) {
                problems.add(d.where() + ": metadata.name: a second KafkaUser of that name");
            }
        });
        expected.forEach((name, grants) -> {
            Doc doc = users.get(name);
            if (doc == null) {
                problems.add("deploy/kubernetes/users.yaml: KafkaUser " + name + ": missing; guestguard acls --format STRIMZI prints it");
                return;
            }
            Set<String> actual = grants(doc.node());
            if (!actual.equals(grants)) {
                Set<String> extra = new TreeSet<>(actual);
                extra.removeAll(grants);
                Set<String> missing = new TreeSet<>(grants);
                missing.removeAll(actual);
                problems.add(doc.where() + ": spec: differs from guestguard acls --format STRIMZI: not granted there " + extra
                        + ", missing here " + missing + "; paste that command's output");
            }
        });
        users.keySet().stream().filter(name -> !expected.containsKey(name)).forEach(name -> problems.add(users.get(name).where()
                + ": not a user guestguard acls --format STRIMZI prints; remove it, or add its role to FleetAcls"));
        return problems;
    }

    /** A user's authentication, labels and every (resource, operation) it is allowed, one string each. */
    private static Set<String> grants(JsonNode user) {
        Set<String> grants = new TreeSet<>();
        grants.add("authentication " + user.path("spec").path("authentication").path("type").asText());
        grants.add("authorization " + user.path("spec").path("authorization").path("type").asText());
        grants.add("cluster " + user.path("metadata").path("labels").path("strimzi.io/cluster").asText());
        user.path("spec").path("authorization").path("acls").forEach(acl -> {
            JsonNode resource = acl.path("resource");
            String on = resource.path("type").asText() + ":" + resource.path("name").asText("") + ":"
                    + resource.path("patternType").asText("") + " from " + acl.path("host").asText("*") + " "
                    + acl.path("type").asText("allow");
            acl.path("operations").forEach(op -> grants.add(op.asText() + " " + on));
            if (acl.has("operation")) {
                grants.add(acl.path("operation").asText() + " " + on);
            }
        });
        return grants;
    }

    /**
     * What each central service needs of its workload: its Kafka user (and that user's password from
     * the Secret Strimzi writes), probes on {@code /q/health/live} and {@code /q/health/ready} at a
     * port it declares; for the two Kafka Streams services, two replicas or more, the state directory
     * on a volume claimed per pod and a standby replica; every ConfigMap and Secret it names exists
     * (here, or made by Strimzi); every Secret here a placeholder, and none named as a KafkaUser.
     */
    static List<String> workloadProblems(List<Doc> docs) {
        List<String> problems = new ArrayList<>();
        Set<String> users = new TreeSet<>(ofKind(docs, "KafkaUser").map(Doc::name).toList());
        Set<String> configMaps = new TreeSet<>(ofKind(docs, "ConfigMap").map(Doc::name).toList());
        Set<String> secrets = new TreeSet<>(ofKind(docs, "Secret").map(Doc::name).toList());
        ofKind(docs, "Secret").forEach(d -> {
            if (users.contains(d.name())) {
                problems.add(d.where() + ": metadata.name: Strimzi's user operator writes the Secret of KafkaUser " + d.name()
                        + " and would overwrite this one; name it otherwise (e.g. " + d.name() + "-keys)");
            }
            Stream.of("data", "stringData").forEach(field -> d.node().path(field).properties().forEach(e -> {
                if (!e.getValue().asText().contains("PLACEHOLDER")) {
                    problems.add(d.where() + ": " + field + "." + e.getKey()
                            + ": not a placeholder; a repository holds no key or password: write PLACEHOLDER and what to put there");
                }
            }));
        });
        Set<String> made = new TreeSet<>(users); // Strimzi writes each user's Secret and the cluster CA's
        made.add(cluster(docs) + "-cluster-ca-cert");
        Map<String, Doc> workloads = new LinkedHashMap<>();
        Stream.concat(ofKind(docs, "StatefulSet"), ofKind(docs, "Deployment")).forEach(d -> workloads.put(d.name(), d));
        SERVICE_USERS.forEach((name, user) -> {
            Doc workload = workloads.get(name);
            if (workload == null) {
                problems.add("deploy/kubernetes: " + name + ": no StatefulSet or Deployment of that name; every central service runs");
                return;
            }
            JsonNode pod = workload.node().path("spec").path("template").path("spec");
            for (JsonNode container : pod.path("containers")) {
                String where = workload.where() + ": container " + container.path("name").asText();
                Map<String, String> env = new LinkedHashMap<>();
                container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
                if (!user.equals(env.get("KAFKA_SASL_USERNAME"))) {
                    problems.add(where + ": env.KAFKA_SASL_USERNAME: is " + env.get("KAFKA_SASL_USERNAME") + ", expected " + user
                            + " (FleetAcls: the role's principal)");
                }
                if (!users.contains(user)) {
                    problems.add(where + ": env.KAFKA_SASL_USERNAME: no KafkaUser " + user + "; add it (users.yaml)");
                }
                if (!volumeSecrets(pod).contains(user)) {
                    problems.add(where + ": volumes: none mounts Secret " + user + ", where Strimzi keeps that user's password");
                }
                probe(container, "livenessProbe", "/q/health/live", where, problems);
                probe(container, "readinessProbe", "/q/health/ready", where, problems);
                if (STREAMS_USERS.containsKey(name)) {
                    streams(workload, pod, container, env.getOrDefault("JAVA_OPTS_APPEND", ""), where, problems);
                }
                container.path("envFrom").forEach(from -> {
                    refersTo(from.path("configMapRef").path("name"), configMaps, Set.of(), where + ": envFrom.configMapRef", problems);
                    refersTo(from.path("secretRef").path("name"), secrets, made, where + ": envFrom.secretRef", problems);
                });
                container.path("env").forEach(e -> {
                    refersTo(e.at("/valueFrom/configMapKeyRef/name"), configMaps, Set.of(), where + ": env." + e.path("name").asText(), problems);
                    refersTo(e.at("/valueFrom/secretKeyRef/name"), secrets, made, where + ": env." + e.path("name").asText(), problems);
                });
            }
            pod.path("volumes").forEach(v -> {
                refersTo(v.at("/configMap/name"), configMaps, Set.of(), workload.where() + ": volumes." + v.path("name").asText(), problems);
                refersTo(v.at("/secret/secretName"), secrets, made, workload.where() + ": volumes." + v.path("name").asText(), problems);
            });
        });
        return problems;
    }

    private static Set<String> volumeSecrets(JsonNode pod) {
        Set<String> names = new TreeSet<>();
        pod.path("volumes").forEach(v -> {
            if (v.has("secret")) {
                names.add(v.path("secret").path("secretName").asText());
            }
        });
        return names;
    }

    private static void refersTo(JsonNode name, Set<String> here, Set<String> made, String where, List<String> problems) {
        if (!name.isMissingNode() && !here.contains(name.asText()) && !made.contains(name.asText())) {
            problems.add(where + ": names " + name.asText() + ", which no manifest here defines and Strimzi does not make");
        }
    }

    private static void probe(JsonNode container, String probe, String path, String where, List<String> problems) {
        JsonNode get = container.path(probe).path("httpGet");
        if (!get.path("path").asText().equals(path)) {
            problems.add(where + ": " + probe + ".httpGet.path: is " + get.path("path").asText("missing") + ", expected " + path);
        }
        String port = get.path("port").asText();
        Predicate<JsonNode> declared = p -> p.path("name").asText().equals(port) || p.path("containerPort").asText().equals(port);
        boolean found = false;
        for (JsonNode p : container.path("ports")) {
            found |= declared.test(p);
        }
        if (!found) {
            problems.add(where + ": " + probe + ".httpGet.port: " + (port.isEmpty() ? "missing" : port)
                    + " is no port of the container; name its http port");
        }
    }

    private static void streams(Doc workload, JsonNode pod, JsonNode container, String javaOpts, String where, List<String> problems) {
        if (!workload.kind().equals("StatefulSet")) {
            problems.add(workload.where() + ": kind: a Kafka Streams service is a StatefulSet, for a state volume per pod");
        }
        if (workload.node().path("spec").path("replicas").asInt() < 2) {
            problems.add(workload.where() + ": spec.replicas: is " + workload.node().path("spec").path("replicas")
                    + "; at least 2, so that a standby takes over a lost instance");
        }
        if (!javaOpts.contains("-Dkafka-streams.num.standby.replicas=1")) {
            problems.add(where + ": env.JAVA_OPTS_APPEND: no -Dkafka-streams.num.standby.replicas=1");
        }
        String stateDir = Stream.of(javaOpts.split("\\s+")).filter(o -> o.startsWith("-Dkafka-streams.state.dir="))
                .map(o -> o.substring("-Dkafka-streams.state.dir=".length())).findFirst().orElse(null);
        if (stateDir == null) {
            problems.add(where + ": env.JAVA_OPTS_APPEND: no -Dkafka-streams.state.dir=DIR; the state would be in the container's /tmp");
            return;
        }
        Set<String> claims = new TreeSet<>();
        workload.node().path("spec").path("volumeClaimTemplates").forEach(c -> claims.add(c.path("metadata").path("name").asText()));
        boolean onClaim = false;
        for (JsonNode mount : container.path("volumeMounts")) {
            onClaim |= mount.path("mountPath").asText().equals(stateDir) && claims.contains(mount.path("name").asText());
        }
        if (!onClaim) {
            problems.add(where + ": volumeMounts: the state directory " + stateDir
                    + " is not a mount of one of spec.volumeClaimTemplates " + claims + "; a restarted pod would restore all its state");
        }
    }
}
