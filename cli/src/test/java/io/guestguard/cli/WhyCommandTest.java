package io.guestguard.cli;

import io.guestguard.cli.CheckCommandTest.Run;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.RefusalReason;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code guestguard why} on a real broker: each decision with the fact that caused it and each of its
 * commands with what became of it, refused or carried out, as the shared {@code GuestChain} works it
 * out; a guest the log does not know is exit code 5.
 */
class WhyCommandTest {

    private static final Topics TOPICS = new Topics("why.");
    private static final EventCodec CODEC = new EventCodec();

    @Test
    void explainsEachDecisionByItsCauseAndEachCommandByWhatBecameOfIt() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(TOPICS, 1);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                    PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(new PackageSpec.AppPolicy("app1", 2, 600_000L,
                    PackageSpec.Backoff.NONE)));
            Instant t0 = Instant.parse("2026-12-06T08:00:00Z");
            Decider engine = new Decider(new RestartLimit(3));
            List<CloudEvent<Decision>> decided = new ArrayList<>();
            GuestState state = GuestState.EMPTY;
            state = decide(producer, engine, state, decided, new CloudEvent<>("started", "/host/h1", t0, "g1", null, "h1", 1L,
                    new GuestStarted("h1")));
            state = decide(producer, engine, state, decided, CloudEvent.ofGuest("apply", "/operator/test", t0.plusSeconds(1), "g1",
                    new PackageApplied(spec)));
            state = decide(producer, engine, state, decided, CloudEvent.ofGuest("failed", "/guest/g1", t0.plusSeconds(2), "g1",
                    AppFailed.killed("app1", 101, "KILL")));
            CloudEvent<Decision> restart = decided.stream().filter(d -> d.data().action() == Decision.Action.RESTART_APP).findFirst()
                    .orElseThrow(() -> new AssertionError("the decider restarts app1: " + decided));
            String restartCommand = restart.data().commandIds().get(0);
            state = decide(producer, engine, state, decided, CloudEvent.ofGuest("restarted", "/guest/g1", t0.plusSeconds(3), "g1",
                    new AppStarted("app1", 102L)));
            state = decide(producer, engine, state, decided, CloudEvent.ofGuest("failed-again", "/guest/g1", t0.plusSeconds(4), "g1",
                    AppFailed.killed("app1", 102, "KILL")));
            CloudEvent<Decision> second = decided.get(decided.size() - 1);
            String secondCommand = second.data().commandIds().get(0);
            decide(producer, engine, state, decided, new CloudEvent<>("refusal", "/host/h1", t0.plusSeconds(5), "g1", null, "h1", 1L,
                    new CommandRefused("h1", secondCommand, CommandKind.RESTART_APP, RefusalReason.STALE_EPOCH, "epoch 1 is not the newest")));

            Run why = Run.of("why", "g1", "app1", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", TOPICS.prefix());

            assertThat(why.exitCode()).as(why.out() + why.err()).isZero();
            String nl = System.lineSeparator();
            assertThat(why.out()).as(why.out())
                    .contains("because  ").contains("failed (SIGKILL, pid 101) (/guest/g1, failed)" + nl)
                    .contains("sent     " + restartCommand + ": then started (pid 102) at ")
                    .contains("sent     " + secondCommand + ": REFUSED by h1 at ").contains(": epoch 1 is not the newest" + nl);

            Run nobody = Run.of("why", "g9", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", TOPICS.prefix());
            assertThat(nobody.exitCode()).isEqualTo(ExitCodes.NO_GUEST);
        }
    }

    /** Writes {@code fact} to the guest log and the real decider's decisions of it to the decisions, as the engine does. */
    private static GuestState decide(KafkaProducer<String, byte[]> producer, Decider engine, GuestState state,
                                     List<CloudEvent<Decision>> decided, CloudEvent<? extends Fact> fact) throws Exception {
        RecordMetadata at = producer.send(new ProducerRecord<>(TOPICS.guestLog(), "g1", CODEC.encode(fact))).get();
        Outcome outcome = engine.decide(state, fact, Instant.ofEpochMilli(at.timestamp()));
        for (CloudEvent<Decision> decision : outcome.decisions()) {
            producer.send(new ProducerRecord<>(TOPICS.decisions(), "g1", CODEC.encode(decision))).get();
            decided.add(decision);
        }
        return outcome.state();
    }
}
