package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.KeyRing;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quarantine path with signatures on: the guest is rebuilt from its package as its operator
 * signed it and its placement as the engine signed it (both read through the gate), and the alert
 * and what follows are signed with the engine's key.
 */
class SignedStateQuarantineTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final KeyRing ring = new KeyRing();
    private final SigningKey engine = registered(new Principal(Role.ENGINE, "engine-1"));
    private final SigningKey detector = registered(new Principal(Role.DETECTOR, "engine-1"));
    private final SigningKey alice = registered(new Principal(Role.OPERATOR, "alice"));
    private final SigningKey h1 = registered(Principal.host("h1"));
    private final SigningKey g1 = registered(Principal.guest("g1"));
    private final Provenance provenance = new Provenance(ring);

    @Test
    void anUnreadableStateIsRebuiltFromTheSignedPackageAndPlacementAndTheAlertIsSigned() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "signed-quarantine-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/signed-quarantine-test-state");
        EngineTrust trust = new EngineTrust(new RecordGate(codec, provenance), Signer.with(codec, engine), Signer.with(codec, detector));
        try (TopologyTestDriver driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec,
                DecisionTopology.HostDetection.DEFAULT, trust), props)) {
            var guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(), new ByteArraySerializer());
            var decisions = driver.createOutputTopic(topics.decisions(), new StringDeserializer(), new ByteArrayDeserializer());
            var commands = driver.createOutputTopic(topics.guestCommands(), new StringDeserializer(), new ByteArrayDeserializer());
            var deadLetters = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
            PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                    PackageSpec.FailbackPolicy.MANUAL, true, true, List.of(new PackageSpec.AppPolicy("app1", 3, null, PackageSpec.Backoff.NONE)));
            guestLog.pipeInput("g1", sign(new CloudEvent<>("p1", "/operator/alice", T0, "g1", null, null, null, new PackageApplied(spec)), alice));
            guestLog.pipeInput("g1", sign(new CloudEvent<>("s1", "/host/h1", T0.plusSeconds(1), "g1", null, "h1", 1L, new GuestStarted("h1")), h1));
            assertThat(deadLetters.isEmpty()).as("genuine facts are read").isTrue();
            decisions.readValuesToList();
            commands.readValuesToList();

            driver.<String, byte[]>getKeyValueStore(DecisionTopology.STATE_STORE).put("g1", "{\"spec\":".getBytes(StandardCharsets.UTF_8));
            guestLog.pipeInput("g1", sign(new CloudEvent<>("f1", "/guest/g1/reporter", T0.plusSeconds(2), "g1", null, null, null,
                    AppFailed.killed("app1", 101, "KILL")), g1));

            assertThat(deadLetters.readRecordsToList()).as("the stored state only").singleElement()
                    .satisfies(r -> assertThat(r.value()).isEqualTo("{\"spec\":".getBytes(StandardCharsets.UTF_8)));
            List<byte[]> decided = decisions.readValuesToList();
            assertThat(decided).extracting(v -> ((Decision) codec.decode(v).data()).action())
                    .containsExactly(Decision.Action.ALERT, Decision.Action.RESTART_APP);
            assertThat(((Decision) codec.decode(decided.get(0)).data()).reason().text())
                    .contains("g1 is rebuilt from its package and its placement: RUNNING on h1 as epoch 1");
            assertThat(decided).allSatisfy(v -> assertThat(signer(v)).isEqualTo(engine.principal()));
            assertThat(commands.readValuesToList()).singleElement().satisfies(v -> {
                assertThat(codec.decode(v).data()).isInstanceOf(RestartApp.class);
                assertThat(signer(v)).isEqualTo(engine.principal());
            });
        }
    }

    private byte[] sign(CloudEvent<? extends Payload> event, SigningKey key) {
        return codec.encode(event, key);
    }

    private Principal signer(byte[] value) {
        var read = codec.read(value);
        return provenance.check(read.json(), read.event());
    }

    private SigningKey registered(Principal principal) {
        SigningKey key = SigningKey.generate(principal);
        ring.register(key, T0);
        return key;
    }
}
