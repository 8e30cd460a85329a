package io.guestguard.reporter.trust;

import io.guestguard.agent.TrustFixture;
import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.StopApp;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import io.guestguard.reporter.app.Reporter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
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
import java.util.Optional;
import java.util.UUID;

import static io.guestguard.reporter.trust.TrustedGuestResource.GUEST;
import static io.guestguard.reporter.trust.TrustedGuestResource.engine;
import static io.guestguard.reporter.trust.TrustedGuestResource.guest;
import static io.guestguard.reporter.trust.TrustedGuestResource.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A reporter with trust on, on a real broker: it obeys a command the policy engine signed and
 * refuses, dead-lettered with the reason, one unsigned, one signed by a key the root never
 * registered, one signed by a guest (only the engine commands) and one about another guest; and
 * everything it writes is signed with its own registered key.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@QuarkusTestResource(value = TrustedGuestResource.class, restrictToAnnotatedClass = true)
class ReporterTrustTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Reporter reporter;

    @TestHTTPResource("/q/health/ready")
    URI ready;

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();

    @Test
    void obeysOnlyTheEnginesSignedCommandsAndDeadLettersTheRestWithTheirReasons() throws Exception {
        long pid = await().atMost(WAIT).until(() -> reporter.supervisor().pid("app1"), Optional::isPresent).get();
        SigningKey stranger = SigningKey.generate(new Principal(Role.ENGINE, "engine-1"));
        try (TopicReader deadLetters = new TopicReader(servers, topics.deadLetter());
             TopicReader guestLog = new TopicReader(servers, topics.guestLog());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                     new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] forged : List.of(codec.encode(stop(GUEST)), codec.encode(stop(GUEST), stranger),
                    codec.encode(stop(GUEST), guest), codec.encode(stop("another-guest"), engine))) {
                producer.send(new ProducerRecord<>(topics.guestCommands(), GUEST, forged)).get();
            }
            producer.send(new ProducerRecord<>(topics.guestCommands(), GUEST, codec.encode(stop(GUEST), engine))).get();

            await().atMost(WAIT).until(() -> events(guestLog).stream().anyMatch(e -> e.data() instanceof AppStopped));
            List<String> reasons = await().atMost(WAIT).until(() -> TrustFixture.reasons(deadLetters.poll(), GUEST), r -> r.size() == 4);
            assertThat(reasons.get(0)).isEqualTo("unsigned: the event has no dssematerial");
            assertThat(reasons.get(1)).isEqualTo("unknown key " + stranger.keyId());
            assertThat(reasons.get(2)).isEqualTo("not authorized: guest " + GUEST + " may not emit command.stop-app");
            assertThat(reasons.get(3)).contains("does not match guestid 'another-guest'");
            assertThat(events(guestLog).stream().<Object>map(CloudEvent::data).filter(AppStopped.class::isInstance).toList())
                    .as("only the engine's stop was applied").containsExactly((Object) new AppStopped("app1", pid));
            assertThat(reporter.refused()).containsEntry("unsigned", 1L).containsEntry("unknown-key", 1L)
                    .containsEntry("not-authorized", 1L);
            assertThat(get(ready)).contains("\"refused-unsigned\": 1").contains("\"status\": \"UP\"");
        }
    }

    @Test
    void everythingItWritesIsSignedWithItsRegisteredKey() {
        try (TopicReader guestLog = new TopicReader(servers, topics.guestLog());
             TopicReader heartbeats = new TopicReader(servers, topics.heartbeats())) {
            List<ConsumerRecord<String, byte[]>> facts = await().atMost(WAIT).until(() -> ofGuest(guestLog), f -> f.size() >= 2);
            List<ConsumerRecord<String, byte[]>> beats = await().atMost(WAIT).until(() -> ofGuest(heartbeats), b -> b.size() >= 2);
            assertThat(facts).allSatisfy(r -> assertThat(keys.signer(r.value())).isEqualTo(Principal.guest(GUEST)));
            assertThat(beats).allSatisfy(r -> assertThat(keys.signer(r.value())).isEqualTo(Principal.guest(GUEST)));
        }
    }

    private static CloudEvent<StopApp> stop(String guestId) {
        return CloudEvent.ofGuest(UUID.randomUUID().toString(), "/policy-engine", Instant.now(), guestId,
                new StopApp("app1", "decision-" + UUID.randomUUID()));
    }

    private List<CloudEvent<?>> events(TopicReader reader) {
        return ofGuest(reader).stream().<CloudEvent<?>>map(r -> codec.decode(r.value())).toList();
    }

    /** Every record of the guest read so far from {@code reader}. */
    private static List<ConsumerRecord<String, byte[]>> ofGuest(TopicReader reader) {
        return reader.poll().stream().filter(r -> GUEST.equals(r.key())).toList();
    }

    private static String get(URI uri) throws Exception {
        return ServiceHttp.get(uri).body();
    }
}
