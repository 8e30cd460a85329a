package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15's attacks on the real packaged services of a signed two-host fleet: each forged,
 * replayed or wrongly signed record ends as a dead letter with its reason, written by the service
 * that read it, and no decision follows from it; nothing is fenced, halted or failed over; and the
 * fleet still decides a real failure afterwards.
 */
class SignedAttacksFleetTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    private final EventCodec codec = new EventCodec();

    /** One attack: what was sent where, and the dead letter it must end as. */
    private record Attack(String name, String topic, String key, byte[] value, String service, String reason) {
    }

    @Test
    void everyAttackEndsAsADeadLetterWithItsReasonAndNoDecision(@TempDir Path runDir) throws Exception {
        try (BenchFleet bench = BenchFleet.twoHosts(HOME, runDir.resolve("run"), "2")) {
            LocalFleet fleet = bench.fleet();
            Topics topics = fleet.topics();
            FleetKeys keys = fleet.keys();
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            long app1 = pid(appStarted(observed, 0, "g1", "app1"));
            CloudEvent<?> genuinePackage = observed.all(e -> "g2".equals(e.guestId()) && e.data() instanceof PackageApplied)
                    .get(0).event();
            Principal mallory = new Principal(Role.OPERATOR, "mallory");
            keys.key(mallory);
            keys.revoke(mallory, "mallory left the company");
            int start = observed.mark();

            List<Attack> attacks = new ArrayList<>();
            String log = topics.guestLog();
            attacks.add(new Attack("the issue's forged host.lost, unsigned", log, "g3", ("""
                    {"specversion":"1.0","id":"forged-host-lost","source":"/kcat","type":"io.guestguard.host.lost.v1",\
                    "time":"%s","datacontenttype":"application/json","guestid":"g3","data":{"host":"primary"}}"""
                    .formatted(Instant.now())).getBytes(StandardCharsets.UTF_8),
                    "policy-engine", "unsigned: the event has no dssematerial"));
            attacks.add(new Attack("host.lost signed by a guest", log, "g3",
                    signed(keys, Principal.guest("g3"), event("forged-lost-2", "g3", null, new HostLost("primary"))),
                    "policy-engine", "not authorized: guest g3 may not emit host.lost"));
            attacks.add(new Attack("operator.request HALT signed by a host", log, "g2",
                    signed(keys, Principal.host("primary"), event("forged-halt", "g2", "primary",
                            new OperatorRequest(OperatorRequest.Action.HALT, null, "ops"))),
                    "policy-engine", "not authorized: host primary may not emit operator.request"));
            attacks.add(new Attack("package.applied signed by its guest", log, "g2",
                    signed(keys, Principal.guest("g2"), event("forged-package", "g2", null, genuinePackage.data())),
                    "policy-engine", "not authorized: guest g2 may not emit package.applied"));
            attacks.add(new Attack("contact-lost signed by its guest", log, "g2",
                    signed(keys, Principal.guest("g2"), event("forged-contact-lost", "g2", null,
                            new ContactLost("primary", 1, "heartbeats-stopped", 0, 0, "forged"))),
                    "policy-engine", "not authorized: guest g2 may not emit guest.contact-lost"));
            attacks.add(new Attack("a guest's genuine key used for another guest", log, "g2",
                    signed(keys, Principal.guest("g1"), event("forged-failure", "g2", null,
                            new AppFailed("app1", 4242L, null, "SIGKILL", null, null))),
                    "policy-engine", "not authorized: guest g1 may not speak for guest g2"));
            attacks.add(new Attack("an operator request signed by a revoked key", log, "g1",
                    signed(keys, mallory, event("revoked-halt", "g1", null,
                            new OperatorRequest(OperatorRequest.Action.HALT, null, "mallory"))),
                    "policy-engine", "revoked key " + keys.key(mallory).keyId() + " of operator mallory"));
            attacks.add(new Attack("a genuine operator record written again", log, "g2",
                    signed(keys, LocalFleet.OPERATOR, genuinePackage),
                    "policy-engine", "replayed: event " + genuinePackage.id() + " of operator local-fleet was read before"));
            attacks.add(new Attack("a fence-host command, unsigned", topics.hostCommands(), "standby",
                    codec.encode(event("forged-fence", "g1", null, new FenceHost("standby", "primary", "forged-decision"))),
                    "host-supervisor", "unsigned: the event has no dssematerial"));
            attacks.add(new Attack("a fence-host command signed by a host", topics.hostCommands(), "standby",
                    signed(keys, Principal.host("standby"), event("forged-fence-2", "g1", "standby",
                            new FenceHost("standby", "primary", "forged-decision"))),
                    "host-supervisor", "not authorized: host standby may not emit command.fence-host"));
            attacks.add(new Attack("beats hiding primary's guests, signed by standby", topics.hostHeartbeats(), "primary",
                    signed(keys, Principal.host("standby"), new CloudEvent<>("forged-beat", "/host/primary/supervisor",
                            Instant.now(), null, null, "primary", null, new Heartbeat("host", "primary", List.of()))),
                    "policy-engine", "not authorized: host standby may not speak for host primary"));

            Map<String, List<String>> letters = new TreeMap<>(); // "topic partition@offset" -> "service: reason" of each letter
            Map<String, Attack> sentAt = new TreeMap<>();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new ByteArraySerializer());
                 TopicReader deadLetters = new TopicReader(fleet.bootstrapServers(), topics.deadLetter())) {
                for (Attack attack : attacks) {
                    RecordMetadata at = producer.send(new ProducerRecord<>(attack.topic(), attack.key(), attack.value())).get();
                    sentAt.put(attack.topic() + " " + at.partition() + "@" + at.offset(), attack);
                }
                await("each attack dead-lettered by the service that read it").atMost(DEADLINE)
                        .pollInterval(Duration.ofMillis(300)).until(() -> {
                            for (ConsumerRecord<String, byte[]> letter : deadLetters.pollNew(Duration.ofMillis(200))) {
                                letters.computeIfAbsent(header(letter, DeadLetter.TOPIC) + " " + header(letter, DeadLetter.PARTITION)
                                                + "@" + header(letter, DeadLetter.OFFSET), k -> new ArrayList<>())
                                        .add(header(letter, DeadLetter.SERVICE) + ": " + header(letter, DeadLetter.REASON));
                            }
                            return sentAt.entrySet().stream().allMatch(e -> letters.getOrDefault(e.getKey(), List.of()).stream()
                                    .anyMatch(l -> l.startsWith(e.getValue().service() + ": " + e.getValue().reason())));
                        });
            } finally {
                sentAt.forEach((at, attack) -> System.out.printf("attack: %-48s -> %s%n", attack.name(),
                        letters.getOrDefault(at, List.of("(no dead letter)"))));
            }

            Set<String> forgedIds = attacks.stream().map(a -> codec.decode(a.value()).id()).collect(Collectors.toSet());
            assertThat(observed.between(start, observed.mark(), e -> e.data() instanceof Decision d
                    && (d.causeIds().stream().anyMatch(forgedIds::contains) || d.action() == Decision.Action.FENCE_HOST
                    || d.action() == Decision.Action.FAILOVER || d.action() == Decision.Action.HALT_GUEST)))
                    .as("no decision from a refused record; nothing fenced, failed over or halted").isEmpty();
            fleet.services().forEach(service -> assertThat(service.isAlive()).as(service.name() + " runs").isTrue());

            int beforeKill = observed.mark();
            ProcessHandle.of(app1).orElseThrow().destroyForcibly();
            observed.await(beforeKill, e -> "g1".equals(e.guestId()) && e.data() instanceof Decision d
                            && d.action() == Decision.Action.RESTART_APP && "app1".equals(d.app()),
                    Observed.deadline(DEADLINE), "a restart of g1/app1 decided after the attacks");
            assertThat(pid(appStarted(observed, beforeKill, "g1", "app1"))).as("app1 runs again, as a new process").isNotEqualTo(app1);
        }
    }

    private static <D extends Payload> CloudEvent<D> event(String id, String guest, String host, D data) {
        return new CloudEvent<>(id, "/attacker", Instant.now(), guest, null, host, host == null ? null : 1L, data);
    }

    private static byte[] signed(FleetKeys keys, Principal as, CloudEvent<?> event) {
        return keys.signer(as).encode(event);
    }

    private static Observed.Seen appStarted(Observed observed, int from, String guest, String app) throws InterruptedException {
        return observed.await(from, e -> guest.equals(e.guestId()) && e.data() instanceof AppStarted s
                && s.app().equals(app) && s.pid() != null, Observed.deadline(DEADLINE), guest + "/" + app + " started");
    }

    private static long pid(Observed.Seen seen) {
        return ((AppStarted) seen.event().data()).pid();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
