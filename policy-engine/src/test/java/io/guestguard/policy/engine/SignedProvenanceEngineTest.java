package io.guestguard.policy.engine;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import io.guestguard.protocol.trust.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.guestguard.policy.engine.TrustedEngineResource.KEYS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine with signatures on, on a real broker: what a key entitled to it signed is decided and
 * what the engine writes is signed with its keys; the attack that opened issue 15 (a {@code host.lost}
 * about a healthy host, written by anyone) and other forgeries are dead-lettered with their reason
 * and decide nothing (a host's report about a guest it may not hold too), counted on {@code /q/metrics};
 * the detector counts a host's beats only when that host signed them.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@QuarkusTestResource(value = TrustedEngineResource.class, restrictToAnnotatedClass = true)
class SignedProvenanceEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private final String servers = EmbeddedKafkaResource.broker().bootstrapServers();
    private final Provenance engineKeys = new Provenance(TestKeys.ring(KEYS, TrustedEngineResource.ENGINE, TrustedEngineResource.DETECTOR));
    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
            new StringSerializer(), new ByteArraySerializer());
    private final ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
    @TestHTTPResource("/q/metrics")
    URI metrics;

    @AfterEach
    void close() {
        beats.shutdownNow();
        producer.close();
    }

    @Test
    void aGenuineFailureIsDecidedAndTheCommandIsSignedByTheEngine() throws Exception {
        send("sg1", CloudEvent.ofGuest("sg1-f1", "/guest/sg1/reporter", Instant.now(), "sg1", AppFailed.killed("app1", 42, "KILL")),
                key(Principal.guest("sg1")));

        try (TopicReader commands = new TopicReader(servers, topics.guestCommands());
             TopicReader decisions = new TopicReader(servers, topics.decisions())) {
            ConsumerRecord<String, byte[]> restart = awaitFirst(commands, "sg1");
            assertThat(codec.decode(restart.value()).data()).isInstanceOf(RestartApp.class);
            assertThat(signerOf(restart)).isEqualTo(TrustedEngineResource.ENGINE);
            assertThat(signerOf(awaitFirst(decisions, "sg1"))).isEqualTo(TrustedEngineResource.ENGINE);
        }
    }

    @Test
    void forgeriesAreDeadLetteredWithTheirReasonAndDecideNothing() throws Exception {
        String guest = "sg3";
        SigningKey stranger = SigningKey.generate(new Principal(Role.DETECTOR, "engine-1")); // never registered
        SigningKey sg3 = key(Principal.guest(guest));
        SigningKey sprimary = key(Principal.host("sprimary"));
        try (TopicReader hostCommands = new TopicReader(servers, topics.hostCommands());
             TopicReader deadLetters = new TopicReader(servers, topics.deadLetter());
             TopicReader decisions = new TopicReader(servers, topics.decisions())) {
            long epoch = runOn(guest, "sprimary", "sstandby", sprimary, hostCommands);

            Map<String, String> forged = new java.util.LinkedHashMap<>();
            forged.put(forge(guest, lost(guest, "sg3-lost-unsigned"), null), "unsigned");
            forged.put(forge(guest, lost(guest, "sg3-lost-by-guest"), sg3), "not authorized: guest sg3 may not emit host.lost");
            forged.put(forge(guest, lost(guest, "sg3-lost-by-stranger"), stranger), "unknown key " + stranger.keyId());
            forged.put(forge(guest, CloudEvent.ofGuest("sg3-halt", "/attacker", Instant.now(), guest,
                    new OperatorRequest(OperatorRequest.Action.HALT, null, "mallory")), sprimary),
                    "not authorized: host sprimary may not emit operator.request");
            forged.put(forge(guest, lost(guest, "sg3-by-revoked"), key(TrustedEngineResource.REVOKED)), "revoked key ");
            forged.put(forge(guest, new CloudEvent<>("sg3-contact", "/attacker", Instant.now(), guest, null, "sprimary", epoch,
                    new ContactLost("sprimary", epoch, "heartbeats-stopped", 3, 6000, "forged")), sg3),
                    "not authorized: guest sg3 may not emit guest.contact-lost");
            // A registered host reporting about a guest it may not hold (sg3's hosts are sprimary and sstandby).
            forged.put(forge(guest, new CloudEvent<>("sg3-halted-elsewhere", "/host/dstandby/supervisor", Instant.now(), guest,
                    null, "dstandby", epoch, new GuestHalted("dstandby")), key(Principal.host("dstandby"))),
                    "not authorized: host dstandby may not speak for guest sg3 (its hosts: sprimary, sstandby)");
            // A genuine host fact written twice: the copy is refused (the replay check, given the record's origin).
            CloudEvent<GuestStarted> again = new CloudEvent<>("sg3-started-again", "/host/sprimary/supervisor", Instant.now(), guest,
                    null, "sprimary", epoch, new GuestStarted("sprimary"));
            send(guest, again, sprimary);
            send(guest, again, sprimary);
            // The detector's genuine word comes last: decided, it shows that every forgery before it was read.
            send(guest, lost(guest, "sg3-lost-genuine"), key(TrustedEngineResource.DETECTOR));

            List<Decision> decided = await().atMost(WAIT).until(() -> decisionsOf(decisions.poll(), guest),
                    d -> d.stream().anyMatch(x -> x.causeIds().contains("sg3-lost-genuine")));
            assertThat(decided).flatExtracting(Decision::causeIds).doesNotContainAnyElementsOf(forged.keySet());
            Map<String, String> reasons = await().atMost(WAIT).until(() -> reasonsById(deadLetters.poll(), guest),
                    r -> r.keySet().containsAll(forged.keySet()));
            forged.forEach((id, reason) -> assertThat(reasons.get(id)).as(id).startsWith(reason));
            assertThat(refusals("unsigned")).isPositive();
            assertThat(refusals("not-authorized")).as("a guest's host.lost, a host's operator request and report "
                    + "about another's guest, a guest's contact-lost").isGreaterThanOrEqualTo(4);
            Map<String, String> copies = await().atMost(WAIT).until(() -> reasonsById(deadLetters.poll(), guest),
                    r -> r.containsKey(again.id()));
            assertThat(copies.get(again.id())).startsWith("replayed: event sg3-started-again of host sprimary was read before at "
                    + topics.guestLog());
        }
    }

    @Test
    void theDetectorCountsOnlyBeatsTheirHostSigned() throws Exception {
        String guest = "dg1";
        SigningKey dprimary = key(Principal.host("dprimary"));
        SigningKey dstandby = key(Principal.host("dstandby"));
        AtomicReference<SigningKey> primarySigner = new AtomicReference<>(dprimary);
        AtomicInteger sent = new AtomicInteger();
        try (TopicReader hostCommands = new TopicReader(servers, topics.hostCommands());
             TopicReader guestLog = new TopicReader(servers, topics.guestLog());
             TopicReader deadLetters = new TopicReader(servers, topics.deadLetter())) {
            runOn(guest, "dprimary", "dstandby", dprimary, hostCommands);
            beats.scheduleAtFixedRate(() -> {
                beat("dprimary", List.of(guest), primarySigner.get());
                beat("dstandby", List.of(), dstandby);
                sent.incrementAndGet();
            }, 0, 200, TimeUnit.MILLISECONDS);

            int from = sent.get();
            await().atMost(WAIT).until(() -> sent.get() >= from + 10); // two seconds: twice the host timeout
            assertThat(hostLostOf(guestLog.poll(), guest)).as("primary beats, signed by itself").isEmpty();

            primarySigner.set(dstandby);
            ConsumerRecord<String, byte[]> lost = await().atMost(WAIT).until(() -> hostLostOf(guestLog.poll(), guest).stream()
                    .findFirst().orElse(null), r -> r != null);
            assertThat(codec.decode(lost.value()).data()).isEqualTo(new HostLost("dprimary"));
            assertThat(signerOf(lost)).isEqualTo(TrustedEngineResource.DETECTOR);
            assertThat(await().atMost(WAIT).until(() -> reasonsOf(deadLetters.poll(), "dprimary"), r -> !r.isEmpty()))
                    .contains("not authorized: host dstandby may not speak for host dprimary");
        }
    }

    /** The engine's {@code guestguard_trust_refusals_total} of {@code kind}, as {@code /q/metrics} serves it. */
    private double refusals(String kind) throws Exception {
        String body = ServiceHttp.get(metrics).body();
        String series = "guestguard_trust_refusals_total{kind=\"" + kind + "\"} ";
        return body.lines().filter(line -> line.startsWith(series)).mapToDouble(line -> Double.parseDouble(line.substring(series.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no " + series + "in\n" + body));
    }

    /**
     * Applies {@code guest}'s package (signed by operator alice), waits for the engine's signed start on
     * {@code first} and reports the guest started there (signed by {@code host}); returns the epoch.
     */
    private long runOn(String guest, String first, String second, SigningKey host, TopicReader hostCommands) throws Exception {
        PackageSpec spec = new PackageSpec(guest, List.of(first, second), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, false, List.of(new PackageSpec.AppPolicy("app1", 3, null, PackageSpec.Backoff.NONE)));
        send(guest, CloudEvent.ofGuest(guest + "-package", "/operator/alice", Instant.now(), guest, new PackageApplied(spec)),
                key(TrustedEngineResource.ALICE));
        ConsumerRecord<String, byte[]> start = await().atMost(WAIT).until(() -> hostCommands.poll().stream()
                .filter(r -> codec.decode(r.value()).data() instanceof StartGuest s && s.guest().equals(guest))
                .findFirst().orElse(null), r -> r != null);
        assertThat(signerOf(start)).isEqualTo(TrustedEngineResource.ENGINE);
        long epoch = ((StartGuest) codec.decode(start.value()).data()).epoch();
        send(guest, new CloudEvent<>(guest + "-started", "/host/" + first, Instant.now(), guest, null, first, epoch,
                new GuestStarted(first)), host);
        return epoch;
    }

    /** The record of the issue: primary lost, said about guest {@code guest}. */
    private static CloudEvent<HostLost> lost(String guest, String id) {
        return CloudEvent.ofGuest(id, "/policy-engine/host-detector", Instant.now(), guest, new HostLost("sprimary"));
    }

    private void beat(String host, List<String> guests, SigningKey signer) {
        CloudEvent<Heartbeat> beat = new CloudEvent<>("beat-" + host + "-" + System.nanoTime(), "/host/" + host, Instant.now(),
                null, null, host, null, new Heartbeat("host", host, guests));
        producer.send(new ProducerRecord<>(topics.hostHeartbeats(), host, codec.encode(beat, signer)));
    }

    private Principal signerOf(ConsumerRecord<String, byte[]> record) {
        var read = codec.read(record.value());
        return engineKeys.check(read.json(), read.event());
    }

    private static SigningKey key(Principal principal) {
        return TestKeys.read(KEYS, principal);
    }

    private String forge(String guest, CloudEvent<? extends Payload> event, SigningKey signer) throws Exception {
        send(guest, event, signer);
        return event.id();
    }

    private void send(String key, CloudEvent<? extends Payload> event, SigningKey signer) throws Exception {
        byte[] value = signer == null ? codec.encode(event) : codec.encode(event, signer);
        producer.send(new ProducerRecord<>(topics.guestLog(), key, value)).get();
    }

    private ConsumerRecord<String, byte[]> awaitFirst(TopicReader reader, String key) {
        return await().atMost(WAIT).until(() -> reader.poll().stream().filter(r -> key.equals(r.key())).findFirst().orElse(null),
                r -> r != null);
    }

    private List<Decision> decisionsOf(List<ConsumerRecord<String, byte[]>> records, String guest) {
        return records.stream().filter(r -> guest.equals(r.key())).map(r -> (Decision) codec.decode(r.value()).data()).toList();
    }

    private List<ConsumerRecord<String, byte[]>> hostLostOf(List<ConsumerRecord<String, byte[]>> records, String guest) {
        return records.stream().filter(r -> guest.equals(r.key()))
                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("io.guestguard.host.lost.v1")).toList();
    }

    /** Each dead letter of {@code key}'s record, by the id of the event it held (an event read without checks). */
    private Map<String, String> reasonsById(List<ConsumerRecord<String, byte[]>> records, String key) {
        Map<String, String> reasons = new java.util.TreeMap<>();
        records.stream().filter(r -> key.equals(r.key())).forEach(r -> reasons.put(codec.decode(r.value()).id(), reason(r)));
        return reasons;
    }

    private List<String> reasonsOf(List<ConsumerRecord<String, byte[]>> records, String key) {
        return records.stream().filter(r -> key.equals(r.key())).map(SignedProvenanceEngineTest::reason).toList();
    }

    private static String reason(ConsumerRecord<String, byte[]> record) {
        return new String(record.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8);
    }
}
