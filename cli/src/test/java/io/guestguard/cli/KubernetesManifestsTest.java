package io.guestguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.cli.KubernetesManifests.Doc;
import io.guestguard.cli.acls.FleetAcls;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kubernetes/ would be accepted by a cluster and is what GuestGuard needs, checked offline:
 * every manifest against the committed schemas (Kubernetes' types, Strimzi's CRDs), and against
 * GuestGuard's own rules taken from the code ({@link KubernetesManifests}). Each check is also shown
 * to refuse a manifest broken on purpose, so none passes by checking nothing.
 */
class KubernetesManifestsTest {

    private static final Path SCHEMAS = Path.of("src", "test", "resources", "kubernetes");

    @Test
    void everyManifestIsValidByItsKindsCommittedSchema() {
        List<Doc> docs = KubernetesManifests.load();

        assertThat(docs).extracting(Doc::kind).contains("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "StatefulSet",
                "Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget");
        assertThat(docs.stream().flatMap(d -> KubernetesManifests.schemaProblems(d).stream()).toList()).isEmpty();
    }

    @Test
    void theKubernetesSchemaRefusesAMisspeltFieldAndAWrongType() {
        Doc engine = find("StatefulSet", "guestguard-policy-engine");
        ObjectNode broken = engine.node().deepCopy();
        ((ObjectNode) broken.path("spec")).put("replica", 2);
        ((ObjectNode) broken.at("/spec/template/spec/containers/0/ports/0")).put("containerPort", "http");

        assertThat(KubernetesManifests.schemaProblems(new Doc(engine.file(), broken)))
                .anySatisfy(p -> assertThat(p).startsWith("deploy/kubernetes/policy-engine.yaml: StatefulSet guestguard-policy-engine: ")
                        .contains("$.spec: property 'replica' is not defined"))
                .anySatisfy(p -> assertThat(p).contains("$.spec.template.spec.containers[0].ports[0].containerPort: string found, integer expected"));
    }

    @Test
    void theStrimziSchemasRefuseAnImpossibleTopicAndAMisspeltUserAndMetadata() {
        Doc topic = find("KafkaTopic", "guestguard-guest-log-v1");
        ObjectNode brokenTopic = topic.node().deepCopy();
        ((ObjectNode) brokenTopic.path("spec")).put("partitions", 0);
        ((ObjectNode) brokenTopic.path("metadata")).put("label", "x");
        Doc user = find("KafkaUser", FleetAcls.CONSOLE_USER);
        ObjectNode brokenUser = user.node().deepCopy();
        ((ObjectNode) brokenUser.at("/spec/authentication")).put("type", "scram-sha-256");

        assertThat(KubernetesManifests.schemaProblems(new Doc(topic.file(), brokenTopic)))
                .anySatisfy(p -> assertThat(p).contains("$.spec.partitions"))
                .anySatisfy(p -> assertThat(p).contains("metadata: property 'label' is not defined"));
        assertThat(KubernetesManifests.schemaProblems(new Doc(user.file(), brokenUser)))
                .anySatisfy(p -> assertThat(p).contains("$.spec.authentication.type"));
    }

    @Test
    void aKindWithNoCommittedSchemaIsRefusedNotPassed() {
        Doc engine = find("StatefulSet", "guestguard-policy-engine");
        ObjectNode job = ((ObjectNode) engine.node().deepCopy()).put("kind", "CronJob").put("apiVersion", "batch/v1");
        ObjectNode strimzi = ((ObjectNode) engine.node().deepCopy()).put("kind", "KafkaConnect").put("apiVersion", KubernetesManifests.STRIMZI_API);

        assertThat(KubernetesManifests.schemaProblems(new Doc("x.yaml", job))).singleElement().asString()
                .contains("no schema committed for batch/v1 CronJob");
        assertThat(KubernetesManifests.schemaProblems(new Doc("x.yaml", strimzi))).singleElement().asString()
                .contains("no Strimzi CRD schema committed for KafkaConnect");
    }

    @Test
    void everyTopicOfTheCodeHasOneKafkaTopicWithTheTopicPlansSettings() {
        assertThat(KubernetesManifests.topicProblems(KubernetesManifests.load())).isEmpty();
    }

    @Test
    void theTopicRuleRefusesAMissingTopicAWrongRetentionAndAStrangerTopic() {
        List<Doc> docs = new ArrayList<>(KubernetesManifests.load());
        docs.removeIf(d -> d.name().equals("guestguard-keys-v1"));
        Doc beats = find(docs, "KafkaTopic", "guestguard-heartbeats-v1");
        ((ObjectNode) beats.node().at("/spec/config")).put("retention.ms", "604800000");
        ((ObjectNode) beats.node().path("spec")).put("partitions", 6);
        ObjectNode stranger = beats.node().deepCopy();
        ((ObjectNode) stranger.path("spec")).put("topicName", "guestguard.other.v1");
        docs.add(new Doc("topics.yaml", stranger));

        assertThat(KubernetesManifests.topicProblems(docs))
                .anySatisfy(p -> assertThat(p).contains("KafkaTopic guestguard.keys.v1: 0 KafkaTopics"))
                .anySatisfy(p -> assertThat(p).contains("KafkaTopic guestguard-heartbeats-v1: spec.config:").contains("retention.ms=600000"))
                .anySatisfy(p -> assertThat(p).contains("spec.partitions: is 6, expected 12"))
                .anySatisfy(p -> assertThat(p).contains("guestguard.other.v1 is no GuestGuard topic"));
    }

    @Test
    void theKafkaUsersAreWhatGuestguardAclsPrints() {
        List<Doc> docs = KubernetesManifests.load();

        assertThat(KubernetesManifests.ofKind(docs, "KafkaUser").map(Doc::name))
                .as("every service's principal, and the operator's")
                .contains(FleetAcls.ENGINE_USER, FleetAcls.WATCHER_USER, FleetAcls.CONSOLE_USER, "guestguard-operator");
        assertThat(KubernetesManifests.userProblems(docs)).isEmpty();
    }

    @Test
    void theUserRuleRefusesAnExtraGrantAMissingUserAndAStranger() {
        List<Doc> docs = new ArrayList<>(KubernetesManifests.load());
        docs.removeIf(d -> d.kind().equals("KafkaUser") && d.name().equals(FleetAcls.CONSOLE_USER));
        Doc watcher = find(docs, "KafkaUser", FleetAcls.WATCHER_USER);
        ObjectNode acl = ((ArrayNode) watcher.node().at("/spec/authorization/acls")).addObject();
        acl.putObject("resource").put("type", "topic").put("name", "guestguard.decisions.v1").put("patternType", "literal");
        acl.putArray("operations").add("Write");
        acl.put("host", "*");
        ObjectNode stranger = watcher.node().deepCopy();
        ((ObjectNode) stranger.path("metadata")).put("name", "everyone");
        docs.add(new Doc("users.yaml", stranger));

        assertThat(KubernetesManifests.userProblems(docs))
                .anySatisfy(p -> assertThat(p).contains("KafkaUser guestguard-console: missing"))
                .anySatisfy(p -> assertThat(p).contains("KafkaUser guestguard-watcher: spec: differs")
                        .contains("not granted there [Write topic:guestguard.decisions.v1:literal"))
                .anySatisfy(p -> assertThat(p).contains("KafkaUser everyone: not a user guestguard acls --format STRIMZI prints"));
    }

    @Test
    void eachServiceRunsAsItsUserWithProbesStateAndAStandby() {
        assertThat(KubernetesManifests.workloadProblems(KubernetesManifests.load())).isEmpty();
    }

    @Test
    void theWorkloadRuleRefusesAMissingProbeStateOffItsVolumeOneReplicaAndARealKey() {
        List<Doc> docs = new ArrayList<>(KubernetesManifests.load());
        JsonNode engine = find(docs, "StatefulSet", "guestguard-policy-engine").node();
        ObjectNode container = (ObjectNode) engine.at("/spec/template/spec/containers/0");
        container.remove("readinessProbe");
        container.withArray("volumeMounts").forEach(m -> {
            if (m.path("name").asText().equals("state")) {
                ((ObjectNode) m).put("mountPath", "/data");
            }
        });
        ((ObjectNode) engine.path("spec")).put("replicas", 1);
        JsonNode console = find(docs, "Deployment", "guestguard-console").node();
        console.at("/spec/template/spec/containers/0/env").forEach(e -> {
            if (e.path("name").asText().equals("KAFKA_SASL_USERNAME")) {
                ((ObjectNode) e).put("value", FleetAcls.ENGINE_USER);
            }
        });
        ((ObjectNode) find(docs, "Secret", "guestguard-migration-watcher-keys").node().path("stringData"))
                .put("watcher-migration-watcher.key", "-----BEGIN PRIVATE KEY-----");
        ObjectNode clash = find(docs, "Secret", "guestguard-console-keys").node().deepCopy();
        ((ObjectNode) clash.path("metadata")).put("name", FleetAcls.CONSOLE_USER);
        docs.add(new Doc("config.yaml", clash));

        assertThat(KubernetesManifests.workloadProblems(docs))
                .anySatisfy(p -> assertThat(p).contains("StatefulSet guestguard-policy-engine: container policy-engine: readinessProbe.httpGet.path: is missing"))
                .anySatisfy(p -> assertThat(p).contains("the state directory /var/lib/guestguard/state is not a mount"))
                .anySatisfy(p -> assertThat(p).contains("spec.replicas: is 1"))
                .anySatisfy(p -> assertThat(p).contains("Deployment guestguard-console: container console: env.KAFKA_SASL_USERNAME: is guestguard-engine, expected guestguard-console"))
                .anySatisfy(p -> assertThat(p).contains("Secret guestguard-migration-watcher-keys: stringData.watcher-migration-watcher.key: not a placeholder"))
                .anySatisfy(p -> assertThat(p).contains("Secret guestguard-console: metadata.name: Strimzi's user operator writes"));
    }

    /** The README beside the schemas records each committed file's SHA-256; a file changed without its record fails. */
    @Test
    void theCommittedSchemasAreTheOnesTheReadmeRecords() throws IOException {
        String readme = Files.readString(SCHEMAS.resolve("README.md"));
        Matcher row = Pattern.compile("\\| `([^`]+\\.json)` \\|[^|\\n]*\\| `([0-9a-f]{64})` \\|").matcher(readme);
        Map<String, String> recorded = new LinkedHashMap<>();
        while (row.find()) {
            recorded.put(row.group(1), row.group(2));
        }
        List<String> committed;
        try (var files = Files.list(SCHEMAS)) {
            committed = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".json")).sorted().toList();
        }

        assertThat(recorded.keySet()).as("README.md's table of the committed schemas").containsExactlyInAnyOrderElementsOf(committed);
        for (Map.Entry<String, String> file : recorded.entrySet()) {
            assertThat(sha256(SCHEMAS.resolve(file.getKey()))).as(file.getKey()).isEqualTo(file.getValue());
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Doc find(String kind, String name) {
        return find(KubernetesManifests.load(), kind, name);
    }

    private static Doc find(List<Doc> docs, String kind, String name) {
        return docs.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/kubernetes/"));
    }
}
