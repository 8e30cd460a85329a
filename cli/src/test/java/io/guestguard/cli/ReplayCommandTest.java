package io.guestguard.cli;

import io.guestguard.cli.CheckCommandTest.Run;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.Traceparent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code guestguard replay} against a real broker holding a guest log and the decisions made on it:
 * a faithful log verifies with no difference, with every fact decided at its record's timestamp (the
 * broker's append time, as the engine decides) even where a guest's clock is two hours behind; a
 * tampered decision is found and shown side by side; an export replays the same way, carrying each
 * fact's decision time; an export written before decision times were kept still replays.
 */
class ReplayCommandTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static EmbeddedKafka kafka;
    private static final EventCodec CODEC = new EventCodec();
    private static final Topics TOPICS = new Topics("replay.");
    private static final List<CloudEvent<? extends Fact>> FACTS = new ArrayList<>();
    private static final List<CloudEvent<Decision>> DECIDED = new ArrayList<>();
    /** Each fact's record timestamp on the guest log (the broker's append time), by fact id. */
    private static final Map<String, Instant> APPENDED = new HashMap<>();

    @BeforeAll
    static void writeALogAndItsDecisions() throws Exception {
        kafka = EmbeddedKafka.startTemporary(TOPICS, 2);
        PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", 2, 600_000L, new PackageSpec.Backoff(100, 2, 1000))));
        for (String guest : List.of("g1", "g2")) {
            // g2's reporter and host run two hours behind: the times they stamp decide nothing.
            Instant own = guest.equals("g2") ? T0.minus(Duration.ofHours(2)) : T0;
            PackageSpec specOf = new PackageSpec(guest, spec.hosts(), spec.failoverPolicy(), spec.failbackPolicy(), true, true, spec.applications());
            FACTS.add(CloudEvent.ofGuest(guest + "-apply", "/operator/test", T0, guest, new PackageApplied(specOf)));
            for (int i = 1; i <= 3; i++) {
                // g1's failures carry traces, as a reporter of this release writes them; g2's none, as before traces.
                CloudEvent<AppFailed> failed = CloudEvent.ofGuest(guest + "-f" + i, "/guest/" + guest, own.plusSeconds(i), guest,
                        AppFailed.killed("app1", 100 + i, "KILL"));
                FACTS.add(guest.equals("g1") ? failed.withTraceparent(Traceparent.start()) : failed);
            }
            FACTS.add(new CloudEvent<>(guest + "-halted", "/host/h1", own.plusSeconds(5), guest, null, "h1", 1L, new GuestHalted("h1")));
        }
        // As the engine: each fact decided at its record's timestamp, which the broker stamps on append.
        Decider engine = new Decider(new RestartLimit(3));
        Map<String, GuestState> states = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (CloudEvent<? extends Fact> fact : FACTS) {
                Instant appended = Instant.ofEpochMilli(
                        producer.send(new ProducerRecord<>(TOPICS.guestLog(), fact.guestId(), CODEC.encode(fact))).get().timestamp());
                APPENDED.put(fact.id(), appended);
                Outcome outcome = engine.decide(states.getOrDefault(fact.guestId(), GuestState.EMPTY), fact, appended);
                states.put(fact.guestId(), outcome.state());
                for (CloudEvent<Decision> decided : outcome.decisions()) {
                    // As the engine: in the fact's trace, except g2's, written as before traces.
                    CloudEvent<Decision> decision = fact.guestId().equals("g1")
                            ? decided.withTraceparent(Traceparent.causedBy(fact, decided.id())) : decided;
                    DECIDED.add(decision);
                    producer.send(new ProducerRecord<>(TOPICS.decisions(), decision.guestId(), CODEC.encode(decision))).get();
                }
            }
        }
        assertThat(APPENDED.get("g2-f1")).as("the broker, not the producer, stamps the guest log")
                .isAfter(FACTS.stream().filter(f -> f.id().equals("g2-f1")).findFirst().orElseThrow().time().plus(Duration.ofHours(1)));
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void aFaithfulLogVerifiesWithNoDifference() {
        Run run = replay("--verify");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(DECIDED.size() + " decisions, 0 differences" + System.lineSeparator());
        assertThat(DECIDED).extracting(d -> d.data().action()).contains(Decision.Action.RESTART_APP,
                Decision.Action.FAILOVER, Decision.Action.START_GUEST);
        assertThat(run.err()).contains("replayed 10 of 10 facts (100%), done");
    }

    @Test
    void oneGuestAndAStartingPointNarrowWhatIsCompared() {
        Run oneGuest = replay("--verify", "--guest", "g2");
        assertThat(oneGuest.out()).startsWith(DECIDED.size() / 2 + " decisions, 0 differences");

        Instant from = APPENDED.get("g1-f3");
        Run fromTime = replay("--verify", "--from", from.toString());
        long later = DECIDED.stream().filter(d -> !d.time().isBefore(from)).count();
        assertThat(later).as("decisions carry their decision time").isPositive().isLessThan(DECIDED.size());
        assertThat(fromTime.out()).startsWith(later + " decisions, 0 differences");

        Run nonsense = replay("--verify", "--from", "yesterday");
        assertThat(nonsense.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(nonsense.err()).contains("--from 'yesterday' is neither an offset nor an ISO-8601 time");
    }

    @Test
    void decisionsRunOnTheBrokersTimeAndShowTheFactsOwn() {
        CloudEvent<Decision> restart = DECIDED.stream().filter(d -> d.data().causeIds().contains("g2-f1")).findFirst().orElseThrow();

        assertThat(restart.time()).isEqualTo(APPENDED.get("g2-f1"));
        assertThat(restart.data().factTime()).isEqualTo(T0.minus(Duration.ofHours(2)).plusSeconds(1));
        assertThat(DECIDED.stream().filter(d -> d.guestId().equals("g2")).map(d -> d.data().action()))
                .as("two hours behind, g2 fails over on its third failure as g1 does")
                .containsExactlyElementsOf(DECIDED.stream().filter(d -> d.guestId().equals("g1")).map(d -> d.data().action()).toList());
    }

    @Test
    void anExportWrittenBeforeDecisionTimesWereKeptReplaysAtTheFactsOwnTimesWithAWarning(@TempDir Path dir) throws Exception {
        // As an engine of that time decided: at each fact's own time, without recording it. (g1, whose
        // clock is true: with a skewed one, that engine did not decide as any engine should.)
        Decider before = new Decider(new RestartLimit(3));
        Map<String, GuestState> states = new HashMap<>();
        List<String> lines = new ArrayList<>();
        for (CloudEvent<? extends Fact> fact : FACTS.stream().filter(f -> f.guestId().equals("g1")).toList()) {
            lines.add(new String(CODEC.encode(fact), StandardCharsets.UTF_8));
            Outcome outcome = before.decide(states.getOrDefault(fact.guestId(), GuestState.EMPTY), fact, fact.time());
            states.put(fact.guestId(), outcome.state());
            for (CloudEvent<Decision> decision : outcome.decisions()) {
                Decision d = decision.data();
                lines.add(new String(CODEC.encode(new CloudEvent<>(decision.id(), decision.source(), decision.time(),
                        decision.guestId(), null, decision.hostId(), decision.epoch(), new Decision(d.action(), d.app(),
                        d.attempt(), d.limit(), d.delayMs(), d.fromHost(), d.toHost(), d.epoch(), d.reason(), d.causeIds(),
                        d.commandIds(), d.hostLoads()))), StandardCharsets.UTF_8));
            }
        }
        Path old = dir.resolve("old.jsonl");
        Files.write(old, lines);

        Run replayed = Run.of("replay", "--verify", "--input", old.toString());

        assertThat(replayed.exitCode()).as(replayed.out() + replayed.err()).isZero();
        assertThat(replayed.out()).contains(" decisions, 0 differences");
        assertThat(replayed.err()).contains("warning: " + old + ":1 has no recordtime");
    }

    @Test
    void anExportReplaysLikeTheBrokerAndATamperedDecisionIsShownSideBySide(@TempDir Path dir) throws Exception {
        Path export = dir.resolve("log.jsonl");
        Run exported = Run.of("export", "--out", export.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", TOPICS.prefix());
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        Run fromFile = Run.of("replay", "--verify", "--input", export.toString());
        assertThat(fromFile.out()).startsWith(DECIDED.size() + " decisions, 0 differences");
        assertThat(fromFile.err()).doesNotContain("warning");
        String g2First = Files.readAllLines(export).stream().filter(l -> l.contains("\"id\":\"g2-f1\"")).findFirst().orElseThrow();
        assertThat(CODEC.mapper().readTree(g2First).get("recordtime").asText()).as("each fact carries its decision time")
                .isEqualTo(APPENDED.get("g2-f1").toString());

        CloudEvent<Decision> original = DECIDED.stream().filter(d -> d.data().action() == Decision.Action.FAILOVER).findFirst().orElseThrow();
        Decision d = original.data();
        Decision forged = new Decision(d.action(), d.app(), d.attempt(), d.limit(), d.delayMs(), d.fromHost(), "h9", d.epoch(),
                d.reason(), d.causeIds(), d.commandIds(), d.hostLoads(), d.factTime());
        List<String> lines = new ArrayList<>(Files.readAllLines(export));
        lines.replaceAll(line -> line.contains("\"id\":\"" + original.id() + "\"")
                ? new String(CODEC.encode(new CloudEvent<>(original.id(), original.source(), original.time(), original.guestId(),
                        null, original.hostId(), original.epoch(), forged))) : line);
        Files.write(export, lines);

        Run tampered = Run.of("replay", "--verify", "--input", export.toString());

        assertThat(tampered.exitCode()).isEqualTo(ExitCodes.DIFFERENCE);
        assertThat(tampered.out()).contains("first difference at the fact " + export + ":", "the decisions differ");
        assertThat(tampered.out()).contains("  log", "| replay");
        assertThat(tampered.out().lines().filter(l -> l.startsWith("*")).toList())
                .singleElement().satisfies(l -> assertThat(l).contains("\"toHost\" : \"h9\"", "\"toHost\" : \"h2\""));
    }

    @Test
    void aDecisionWhoseTraceWasChangedIsADifference(@TempDir Path dir) throws Exception {
        Path export = dir.resolve("log.jsonl");
        assertThat(Run.of("export", "--out", export.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", TOPICS.prefix()).exitCode()).isZero();
        CloudEvent<Decision> original = DECIDED.stream().filter(d -> d.guestId().equals("g1") && d.data().action() == Decision.Action.RESTART_APP)
                .findFirst().orElseThrow();
        assertThat(original.traceparent()).as("g1's decisions carry their fact's trace").isNotNull();
        assertThat(original.traceparent().traceId()).isEqualTo(FACTS.stream().filter(f -> f.id().equals(original.data().causeIds().get(0)))
                .findFirst().orElseThrow().traceparent().traceId());
        List<String> lines = new ArrayList<>(Files.readAllLines(export));
        lines.replaceAll(line -> line.contains("\"id\":\"" + original.id() + "\"")
                ? line.replace(original.traceparent().toString(), Traceparent.start().toString()) : line);
        Files.write(export, lines);

        Run tampered = Run.of("replay", "--verify", "--input", export.toString());

        assertThat(tampered.exitCode()).isEqualTo(ExitCodes.DIFFERENCE);
        assertThat(tampered.out()).contains("the decisions differ");
        assertThat(tampered.out().lines().filter(l -> l.startsWith("*")).toList())
                .singleElement().satisfies(l -> assertThat(l).contains("traceparent", original.traceparent().toString()));
    }

    private static Run replay(String... options) {
        List<String> args = new ArrayList<>(List.of("replay", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", TOPICS.prefix()));
        args.addAll(List.of(options));
        return Run.of(args.toArray(String[]::new));
    }
}
