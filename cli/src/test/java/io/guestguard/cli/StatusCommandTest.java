package io.guestguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guestguard.cli.CheckCommandTest.Run;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code guestguard status} against a real broker: what it prints of the topics the engine writes (the
 * compact overview, {@code -v}, {@code --json}) and of the engine's consumer group (its lag, and a silent
 * engine failing the fleet); what it makes of the records in detail is protocol's {@code FleetStatusTest}.
 * The tests run in order: the engine's group is joined by the last one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusCommandTest {

    private static final Topics TOPICS = new Topics("status-command.");
    private static final String GROUP = "status-test-engine";
    private static final EventCodec CODEC = new EventCodec();
    private static EmbeddedKafka kafka;
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void aFleetOfTwoGuests() throws Exception {
        kafka = EmbeddedKafka.startTemporary(TOPICS, 2);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
        Instant now = Instant.now();
        packageOf("g1");
        packageOf("g2");
        // g1 runs on h1, app1 killed twice (the second 3 s ago, its restart due in a minute), switching disabled,
        // a migration to h2 under way, h3 detached; g2 was halted by an operator.
        send(TOPICS.placements(), "g1", new GuestPlacement("h1", 2, PlacementPhase.RUNNING, Map.of("app1", 2), null, true, false,
                new GuestPlacement.Migration("h1", "h2", now.minusSeconds(1).toEpochMilli()), null, null, null, new java.util.TreeSet<>(Set.of("h3")),
                Map.of("app1", new GuestPlacement.AppFailures(List.of(now.minusSeconds(30).toEpochMilli(), now.minusSeconds(3).toEpochMilli()),
                        new GuestPlacement.LastFailure(now.minusSeconds(3).toEpochMilli(), 4242L, null, "KILL", null, null,
                                now.plusSeconds(60).toEpochMilli())))));
        send(TOPICS.placements(), "g2", new GuestPlacement("h1", 1, PlacementPhase.DOWN, Map.of(), "OPERATOR_HALT", false, false,
                null, null, null, null, null, null));
        send(TOPICS.decisions(), "g1", new Decision(Decision.Action.RESTART_APP, "app1", 2, 3, 60_000L, "h1", null, 2L,
                new Decision.Reason("APP_FAILED_WITHIN_LIMIT", "app1 failed (SIGKILL); restart 2 of 3 allowed after 60000 ms"),
                List.of("fact-kill-2"), List.of("restart-kill-2"), null));
        for (String host : List.of("h1", "h2", "h3")) {
            producer.send(new ProducerRecord<>(TOPICS.hostHeartbeats(), host, CODEC.encode(new CloudEvent<>("beat-" + host,
                    "/host/" + host + "/supervisor", now, null, null, host, null,
                    new Heartbeat("host", host, host.equals("h1") ? List.of("g1") : List.of()))))).get();
        }
    }

    @AfterAll
    static void stop() {
        producer.close();
        kafka.close();
    }

    @Test
    @Order(1)
    void theOverviewHasALinePerHostAndPerGuestAndNoEngineMeansDegraded() {
        Run run = status();

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).contains("GuestGuard fleet at ").contains(": DEGRADED")
                .contains("engine lag 0 (group " + GROUP + ", 0 members)")
                .contains("! no engine runs: its group " + GROUP + " has no member (a fact would wait)")
                .contains("! g1: switching is disabled")
                .contains("! g1 is migrating from h1 to h2")
                .contains("! host h3 is detached by an operator");
        assertThat(line(run.out(), "g1 ")).contains("MIGRATING").contains("h1").contains("disabled").contains("app1 2/3 (2 in 10m) BACKOFF");
        assertThat(line(run.out(), "g2 ")).contains("HALTED").contains("disabled").contains("app1 0/3");
        assertThat(line(run.out(), "h3 ")).contains("UP").contains("detached");
        assertThat(run.out()).as("the details are -v's").doesNotContain("last failure").doesNotContain("last decision");
    }

    @Test
    @Order(2)
    void verboseAddsThePackageTheKnownHostsTheLastFailureTheBackoffAndTheLastDecision() {
        Run run = status("-v", "--guest", "g1");

        assertThat(run.out()).contains("  package: *h1 h2 h3, auto_run, configured_node, failback manual")
                .contains("  migrating h1 -> h2 since ")
                .contains("  its hosts: detached h3")
                .containsPattern("  app1 +restarts 2 of 3, 2 failure\\(s\\) in its 10m window; last failure \\d\\d:\\d\\d:\\d\\d SIGKILL \\(pid 4242\\), noticed by exit; backoff until \\d\\d:\\d\\d:\\d\\d")
                .contains("last decision ").contains("RESTART_APP app1: app1 failed (SIGKILL); restart 2 of 3 allowed after 60000 ms (cause fact-kill-2)");
        assertThat(run.out()).doesNotContain("\ng2 ");
    }

    @Test
    @Order(3)
    void jsonKeepsItsShapeAndAddsTheNewFields() throws Exception {
        Run run = status("--json");

        JsonNode status = new ObjectMapper().readTree(run.out());
        assertThat(status.fieldNames()).toIterable().containsExactly("readAt", "verdict", "problems", "summary", "hosts", "guests");
        JsonNode g1 = status.path("guests").get(0);
        assertThat(g1.path("guest").asText()).isEqualTo("g1");
        assertThat(g1.path("switchingEnabled").asBoolean()).isFalse();
        assertThat(g1.path("activity").asText()).isEqualTo("MIGRATING");
        assertThat(g1.path("migration").path("to").asText()).isEqualTo("h2");
        assertThat(g1.path("detachedHosts").get(0).asText()).isEqualTo("h3");
        JsonNode app1 = g1.path("apps").get(0);
        assertThat(app1.path("restarts").asInt()).isEqualTo(2);
        assertThat(app1.path("failuresInWindow").asInt()).isEqualTo(2);
        assertThat(app1.path("lastFailure").path("signal").asText()).isEqualTo("KILL");
        assertThat(app1.path("lastFailure").path("noticedBy").asText()).isEqualTo("exit");
        assertThat(app1.path("backoffUntil").isTextual()).isTrue();
        assertThat(status.path("summary").path("engine").path("group").asText()).isEqualTo(GROUP);
        assertThat(status.path("summary").path("hostMarks").path("DETACHED").asInt()).isEqualTo(1);
        assertThat(status.path("summary").path("guestActivities").path("HALTED").asInt()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void factsWaitingForAnEngineWithNoMemberFailTheFleetUntilAMemberJoins() throws Exception {
        send(TOPICS.guestLog(), "g1", AppFailed.killed("app1", 4300, "KILL"));

        Run silent = status();

        assertThat(silent.exitCode()).isEqualTo(2);
        assertThat(silent.out()).contains(": FAILED").contains("engine lag 1 (group " + GROUP + ", 0 members: SILENT)")
                .contains("! the engine is silent: 1 fact(s) wait on the guest log and its group " + GROUP + " has no member");

        try (KafkaConsumer<String, byte[]> engine = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            engine.subscribe(List.of(TOPICS.guestLog()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                engine.poll(Duration.ofMillis(200));
                Run joined = status();
                assertThat(joined.out()).contains("(group " + GROUP + ", 1 member)").doesNotContain("the engine is silent");
            });
        }
    }

    private static Run status(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("status", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", TOPICS.prefix(), "--engine-group", GROUP));
        args.addAll(List.of(more));
        return Run.of(args.toArray(String[]::new));
    }

    private static String line(String out, String start) {
        return out.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError("no line " + start + " in\n" + out));
    }

    private static void packageOf(String guest) throws Exception {
        PackageSpec spec = new PackageSpec(guest, List.of("h1", "h2", "h3"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(new PackageSpec.AppPolicy("app1", 3, 600_000L, PackageSpec.Backoff.NONE)));
        send(TOPICS.packages(), guest, new PackageApplied(spec));
    }

    private static void send(String topic, String guest, Payload payload) throws Exception {
        producer.send(new ProducerRecord<>(topic, guest, CODEC.encode(CloudEvent.ofGuest(topic.replace('.', '-') + "-" + guest
                + "-" + System.nanoTime(), "/policy-engine", Instant.now(), guest, payload)))).get();
    }
}
