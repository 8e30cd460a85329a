package io.guestguard.cli;

import io.guestguard.cli.CheckCommandTest.Run;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.StartApp;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.StopApp;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code guestguard app stop|start} against a real broker: the requests are facts on the guest log,
 * decided like any other (a stop or start with its command, or an alert), so a replay of that log
 * reproduces every decision about them.
 */
class ReplayAppRequestsTest {

    private static final Topics TOPICS = new Topics("replay-app.");
    private static final EventCodec CODEC = new EventCodec();
    private static EmbeddedKafka kafka;
    private static final List<CloudEvent<Decision>> DECIDED = new ArrayList<>();
    private static final List<Outcome> OUTCOMES = new ArrayList<>();
    private static final List<Run> RUNS = new ArrayList<>();

    @BeforeAll
    static void writeALogWithAppRequestsAndDecideIt(@TempDir Path keys) throws Exception {
        kafka = EmbeddedKafka.startTemporary(TOPICS, 2);
        // The operator signs the requests, as operators do.
        Path operatorKey = keys.resolve("operator-ops.key");
        KeyFile.write(SigningKey.generate(new Principal(Role.OPERATOR, "ops")), operatorKey, keys.resolve("operator-ops.pub"));
        PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", 2, 600_000L, PackageSpec.Backoff.NONE)));
        Instant t0 = Instant.now();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(TOPICS.guestLog(), "g1",
                    CODEC.encode(CloudEvent.ofGuest("g1-apply", "/operator/test", t0, "g1", new PackageApplied(spec))))).get();
            producer.send(new ProducerRecord<>(TOPICS.guestLog(), "g1", CODEC.encode(new CloudEvent<>("g1-started",
                    "/host/h1", t0.plusSeconds(1), "g1", null, "h1", 1L, new GuestStarted("h1"))))).get();
        }
        for (String[] request : List.of(new String[]{"stop", "app1"}, new String[]{"stop", "app9"}, new String[]{"start", "app1"})) {
            RUNS.add(Run.of("app", request[0], request[1], "--guest", "g1", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic-prefix", TOPICS.prefix(), "--key", operatorKey.toString()));
        }
        // As the engine: each fact, read back from the guest log, decided at its record's timestamp.
        AtomicReference<List<ConsumerRecord<String, byte[]>>> log = new AtomicReference<>();
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), TOPICS.guestLog())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                log.set(reader.poll()); // everything read so far, in the guest's partition's order
                assertThat(log.get()).hasSize(5);
            });
        }
        Decider engine = new Decider(new RestartLimit(3));
        GuestState state = GuestState.EMPTY;
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (ConsumerRecord<String, byte[]> record : log.get()) {
                @SuppressWarnings("unchecked")
                CloudEvent<? extends Fact> fact = (CloudEvent<? extends Fact>) CODEC.decode(record.value());
                Outcome outcome = engine.decide(state, fact, Instant.ofEpochMilli(record.timestamp()));
                OUTCOMES.add(outcome);
                state = outcome.state();
                for (CloudEvent<Decision> decision : outcome.decisions()) {
                    DECIDED.add(decision);
                    producer.send(new ProducerRecord<>(TOPICS.decisions(), decision.guestId(), CODEC.encode(decision))).get();
                }
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void eachRequestIsDecidedAndTheStopAndStartCarryTheirCommands() {
        assertThat(RUNS).allSatisfy(run -> {
            assertThat(run.err()).isEmpty();
            assertThat(run.exitCode()).isZero();
        });
        assertThat(DECIDED).extracting(d -> d.data().action()).containsExactly(Decision.Action.START_GUEST,
                Decision.Action.STOP_APP, Decision.Action.ALERT, Decision.Action.START_APP);
        assertThat(DECIDED.get(2).data().reason().text()).contains("names no application app9").contains("nothing is sent");
        List<CloudEvent<Command>> commands = OUTCOMES.stream().flatMap(o -> o.commands().stream()).toList();
        assertThat(commands).hasSize(3);
        assertThat(commands.get(0).data()).isInstanceOf(StartGuest.class); // the package's auto_run
        assertThat(commands.subList(1, 3)).extracting(CloudEvent::data).containsExactly(
                new StopApp("app1", DECIDED.get(1).id()),
                new StartApp("app1", DECIDED.get(3).id()));
        assertThat(commands.subList(1, 3)).allSatisfy(command -> {
            assertThat(command.guestId()).isEqualTo("g1");
            assertThat(command.epoch()).isEqualTo(1L);
        });
        assertThat(DECIDED.get(1).data().commandIds()).containsExactly(commands.get(1).id());
    }

    @Test
    void aReplayOfTheLogReproducesEveryDecisionAboutThem() {
        Run run = Run.of("replay", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", TOPICS.prefix(),
                "--verify");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("4 decisions, 0 differences" + System.lineSeparator());
        assertThat(run.err()).contains("replayed 5 of 5 facts (100%), done");
    }
}
