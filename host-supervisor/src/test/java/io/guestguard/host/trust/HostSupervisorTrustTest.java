package io.guestguard.host.trust;

import io.guestguard.agent.TrustFixture;
import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.guestguard.host.trust.TrustedHostResource.HOST;
import static io.guestguard.host.trust.TrustedHostResource.engine;
import static io.guestguard.host.trust.TrustedHostResource.host;
import static io.guestguard.host.trust.TrustedHostResource.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged supervisor with trust on, on a real broker: it carries out a command the policy engine
 * signed and refuses, dead-lettered with the reason, one unsigned, one signed by a key the root never
 * registered, one signed by a host (only the engine commands) and one for another host; its facts and
 * beats are signed with its own registered key.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@QuarkusTestResource(value = TrustedHostResource.class, restrictToAnnotatedClass = true)
class HostSupervisorTrustTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();
    @TestHTTPResource("/q/health/ready")
    URI ready;

    @Test
    void carriesOutOnlyTheEnginesSignedCommandsAndDeadLettersTheRestWithTheirReasons() throws Exception {
        SigningKey stranger = SigningKey.generate(new Principal(Role.ENGINE, "engine-1"));
        await().atMost(WAIT).until(() -> get(ready).contains("\"status\": \"UP\""));
        try (TopicReader deadLetters = new TopicReader(servers, topics.deadLetter());
             TopicReader guestLog = new TopicReader(servers, topics.guestLog());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                     new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] forged : List.of(codec.encode(start("forged-1", HOST)), codec.encode(start("forged-2", HOST), stranger),
                    codec.encode(start("forged-3", HOST), host), codec.encode(start("forged-4", "other-host"), engine))) {
                producer.send(new ProducerRecord<>(topics.hostCommands(), HOST, forged)).get();
            }
            producer.send(new ProducerRecord<>(topics.hostCommands(), HOST, codec.encode(start("trusted-g1", HOST), engine))).get();

            ConsumerRecord<String, byte[]> started = await().atMost(WAIT).until(() -> facts(guestLog).stream()
                    .filter(r -> codec.decode(r.value()).data().equals(new GuestStarted(HOST))).findFirst(), f -> f.isPresent()).get();
            assertThat(started.key()).isEqualTo("trusted-g1");
            assertThat(keys.signer(started.value())).isEqualTo(Principal.host(HOST));
            List<String> reasons = await().atMost(WAIT).until(() -> TrustFixture.reasons(deadLetters.poll(), HOST), r -> r.size() == 4);
            assertThat(reasons.get(0)).isEqualTo("unsigned: the event has no dssematerial");
            assertThat(reasons.get(1)).isEqualTo("unknown key " + stranger.keyId());
            assertThat(reasons.get(2)).isEqualTo("not authorized: host " + HOST + " may not emit command.start-guest");
            assertThat(reasons.get(3)).contains("does not match data.host 'other-host'");
            assertThat(facts(guestLog)).as("no forged command was carried out")
                    .allSatisfy(r -> assertThat(r.key()).isEqualTo("trusted-g1"));
            assertThat(get(ready)).contains("\"refused-unsigned\"").contains("\"refused-unknown-key\"")
                    .contains("\"refused-not-authorized\"");

            producer.send(new ProducerRecord<>(topics.hostCommands(), HOST, codec.encode(command("trusted-g1",
                    new HaltGuest("trusted-g1", HOST, 1, "d-halt")), engine))).get();
            await().atMost(WAIT).until(() -> facts(guestLog).stream().anyMatch(r -> codec.decode(r.value()).data().equals(new GuestHalted(HOST))));
        }
    }

    @Test
    void itsBeatsAreSignedWithItsRegisteredKey() {
        try (TopicReader heartbeats = new TopicReader(servers, topics.hostHeartbeats())) {
            List<ConsumerRecord<String, byte[]>> beats = await().atMost(WAIT).until(() -> heartbeats.poll().stream()
                    .filter(r -> HOST.equals(r.key())).toList(), b -> b.size() >= 2);
            assertThat(beats).allSatisfy(r -> {
                assertThat(keys.signer(r.value())).isEqualTo(Principal.host(HOST));
                if (codec.decode(r.value()).data() instanceof Heartbeat beat) { // not a leaving of an earlier run's stop
                    assertThat(beat.id()).isEqualTo(HOST);
                }
            });
        }
    }

    private static CloudEvent<StartGuest> start(String guest, String toHost) {
        return command(guest, new StartGuest(guest, toHost, 1, "d-" + UUID.randomUUID()));
    }

    private static <C extends HostCommand> CloudEvent<C> command(String guest, C command) {
        return new CloudEvent<>("cmd-" + UUID.randomUUID(), "/policy-engine", Instant.now(), guest, null, command.host(), 1L, command);
    }

    /** The facts the supervisor wrote. */
    private static List<ConsumerRecord<String, byte[]>> facts(TopicReader guestLog) {
        return guestLog.poll().stream().filter(r -> r.key() != null && (r.key().startsWith("forged-") || r.key().equals("trusted-g1")))
                .toList();
    }

    private static String get(URI uri) throws Exception {
        return ServiceHttp.get(uri).body();
    }
}
