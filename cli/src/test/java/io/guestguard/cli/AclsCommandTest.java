package io.guestguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.guestguard.cli.acls.FleetAcls;
import io.guestguard.protocol.Topics;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AclsCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new GuestGuardCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void printsOneKafkaAclsCommandPerPrincipalAndResourceCoveringTheWholeModel() {
        assertThat(run("acls", "--hosts", "primary", "--guests", "g1", "--bootstrap-servers",
                "b1:9093", "--command-config", "admin.properties")).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().filter(l -> l.startsWith("kafka-acls.sh")).toList();

        assertThat(lines).contains(
                "kafka-acls.sh --bootstrap-server b1:9093 --command-config admin.properties --add --allow-principal 'User:guest-g1'"
                        + " --operation Read --topic guestguard.guest-commands.v1",
                "kafka-acls.sh --bootstrap-server b1:9093 --command-config admin.properties --add --allow-principal 'User:guest-g1'"
                        + " --operation IdempotentWrite --cluster",
                "kafka-acls.sh --bootstrap-server b1:9093 --command-config admin.properties --add --allow-principal 'User:guestguard-engine'"
                        + " --operation Write --operation Describe --transactional-id guestguard-policy-engine --resource-pattern-type prefixed",
                "kafka-acls.sh --bootstrap-server b1:9093 --command-config admin.properties --add --allow-principal 'User:guestguard-engine'"
                        + " --operation Read --group guestguard-policy-engine --resource-pattern-type prefixed");
        assertThat(lines).as("status reads the placements and describes the engine's group").contains(
                "kafka-acls.sh --bootstrap-server b1:9093 --command-config admin.properties --add --allow-principal 'User:guestguard-operator'"
                        + " --operation Read --topic guestguard.placements.v1",
                "kafka-acls.sh --bootstrap-server b1:9093 --command-config admin.properties --add --allow-principal 'User:guestguard-operator'"
                        + " --operation Describe --group guestguard-policy-engine");
        assertThat(lines.stream().filter(l -> l.contains("'User:guest-g1'")))
                .as("a guest is kept off the hosts' commands, the decisions and the placements")
                .noneMatch(l -> l.contains("host-commands") || l.contains("decisions") || l.contains("placements"));
        long operations = lines.stream().mapToLong(l -> l.split(" --operation ").length - 1).sum();
        assertThat(operations).as("every ACL of the model is printed once")
                .isEqualTo(new FleetAcls(Topics.DEFAULT, "guestguard-policy-engine", "guestguard-migration-watcher", List.of("primary"),
                        List.of("g1"), List.of("guestguard-operator"), FleetAcls.Authentication.SCRAM_SHA_512).all().size());
    }

    @Test
    void printsAStrimziKafkaUserPerPrincipal() throws Exception {
        assertThat(run("acls", "--hosts", "primary", "--guests", "g1,g2", "--format", "STRIMZI", "--authentication", "TLS",
                "--cluster", "prod")).as(err.toString()).isZero();
        List<JsonNode> users = new ArrayList<>();
        new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(out.toString()).forEachRemaining(n -> users.add((JsonNode) n));

        assertThat(users).extracting(u -> u.at("/metadata/name").asText())
                .containsExactly("guestguard-engine", "guestguard-watcher", "guestguard-console", "host-primary", "guest-g1", "guest-g2",
                        "guestguard-operator");
        JsonNode g1 = users.get(4);
        assertThat(g1.at("/apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1beta2");
        assertThat(g1.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo("prod");
        assertThat(g1.at("/spec/authentication/type").asText()).isEqualTo("tls");
        assertThat(g1.at("/spec/authorization/type").asText()).isEqualTo("simple");
        assertThat(g1.at("/spec/authorization/acls/0/resource/name").asText()).isEqualTo("guestguard.guest-commands.v1");
        assertThat(g1.at("/spec/authorization/acls/0/operations/0").asText()).isEqualTo("Read");
        assertThat(users.get(0).at("/spec/authorization/acls").findValuesAsText("patternType"))
                .as("Strimzi's KafkaUser CRD spells Kafka's PREFIXED 'prefix'").contains("prefix").doesNotContain("prefixed");
    }

    /** The console reads what its pages and guest histories show and the key ring, and writes operator requests to the guest log: nothing else. */
    @Test
    void theConsoleReadsItsTopicsAndTheKeysAndWritesTheGuestLogOnly() {
        assertThat(run("acls", "--hosts", "primary", "--guests", "g1", "--bootstrap-servers", "b1:9093")).as(err.toString()).isZero();
        List<String> console = out.toString().lines().filter(l -> l.contains("'User:guestguard-console'"))
                .map(l -> l.substring(l.indexOf(" --operation "))).toList();

        assertThat(console).containsExactlyInAnyOrder(
                " --operation Read --topic guestguard.packages.v1",
                " --operation Read --topic guestguard.placements.v1",
                " --operation Read --topic guestguard.decisions.v1",
                " --operation Read --topic guestguard.host-heartbeats.v1",
                " --operation Read --topic guestguard.dead-letter.v1",
                " --operation Read --topic guestguard.keys.v1",
                " --operation Read --operation Write --topic guestguard.guest-log.v1",
                " --operation Read --topic guestguard.guest-commands.v1",
                " --operation Read --topic guestguard.host-commands.v1",
                " --operation IdempotentWrite --cluster");
    }

    @Test
    void anIdThatIsNotANameIsRefused() {
        assertThat(run("acls", "--guests", "../g1")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("'../g1' is not a host, guest or user id");
    }

    @Test
    void aCommandConfigWithAProblemNamesTheFileTheSettingAndTheFix(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = java.nio.file.Files.writeString(dir.resolve("client.properties"),
                "security.protocol=SASL_SSL\nsasl.username=alice\n");

        assertThat(run("export", "-o", dir.resolve("out.jsonl").toString(), "--guest", "g1", "--bootstrap-servers", "127.0.0.1:1", "--command-config", config.toString()))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains(config + ": sasl.password.file: missing; name a file that holds the password");
    }
}
