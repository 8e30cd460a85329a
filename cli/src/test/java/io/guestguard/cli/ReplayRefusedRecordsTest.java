package io.guestguard.cli;

import io.guestguard.cli.CheckCommandTest.Run;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record the engine refused (a forged {@code host.lost}, dead-lettered as unsigned) stays on the
 * guest log; the replay reads the engine's dead letters and leaves it out, as the engine did.
 */
class ReplayRefusedRecordsTest {

    private static final Topics TOPICS = new Topics("refused.");
    private static final EventCodec CODEC = new EventCodec();

    @Test
    void whatTheEngineDeadLetteredIsNotReplayed() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(TOPICS, 1);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                    PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(new PackageSpec.AppPolicy("app1", 2, 600_000L,
                    PackageSpec.Backoff.NONE)));
            Instant t0 = Instant.parse("2026-12-06T08:00:00Z");
            Decider engine = new Decider(new RestartLimit(3));
            GuestState state = GuestState.EMPTY;
            List<CloudEvent<? extends Fact>> facts = List.of(
                    CloudEvent.ofGuest("apply", "/operator/test", t0, "g1", new PackageApplied(spec)),
                    new CloudEvent<>("started", "/host/h1", t0.plusSeconds(1), "g1", null, "h1", 1L, new GuestStarted("h1")),
                    CloudEvent.ofGuest("forged", "/kcat", t0.plusSeconds(2), "g1", new HostLost("h1")),
                    CloudEvent.ofGuest("failed", "/guest/g1", t0.plusSeconds(3), "g1", AppFailed.killed("app1", 101, "KILL")));
            RecordMetadata forgedAt = null;
            for (CloudEvent<? extends Fact> fact : facts) {
                RecordMetadata at = producer.send(new ProducerRecord<>(TOPICS.guestLog(), "g1", CODEC.encode(fact))).get();
                if (fact.id().equals("forged")) {
                    forgedAt = at; // the engine refused it: no decision
                    continue;
                }
                Outcome outcome = engine.decide(state, fact, Instant.ofEpochMilli(at.timestamp()));
                state = outcome.state();
                for (CloudEvent<Decision> decision : outcome.decisions()) {
                    producer.send(new ProducerRecord<>(TOPICS.decisions(), "g1", CODEC.encode(decision))).get();
                }
            }

            Run withoutTheLetter = replay(kafka);
            assertThat(withoutTheLetter.exitCode()).as("deciding on the forged record differs from what the engine did")
                    .isEqualTo(ExitCodes.DIFFERENCE);

            producer.send(DeadLetter.record(TOPICS.deadLetter(), "g1", "forged".getBytes(StandardCharsets.UTF_8),
                    "unsigned: the event has no dssematerial", TOPICS.guestLog(), forgedAt.partition(), forgedAt.offset(),
                    "policy-engine")).get();
            Run withTheLetter = replay(kafka);
            assertThat(withTheLetter.exitCode()).as(withTheLetter.out()).isZero();
            assertThat(withTheLetter.out()).endsWith("0 differences" + System.lineSeparator());
        }
    }

    private static Run replay(EmbeddedKafka kafka) {
        return Run.of("replay", "--verify", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", TOPICS.prefix());
    }
}
