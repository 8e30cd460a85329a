package io.guestguard.deploy.fleet;

import io.cloudevents.SpecVersion;
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
import io.guestguard.protocol.KafkaBinding;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
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
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15's attacks on the real packaged services of a signed two-host fleet: each forged,
 * replayed or wrongly signed record ends as a dead letter with its reason, written by the service
 * that read it, and no decision follows from it; nothing is fenced, halted or failed over; and the
 * fleet still decides a real failure afterwards.
 *
 * <p>Then issue 20 on the same fleet, as an outside pipeline built on the official CloudEvents Java
 * SDK ({@link SdkPipeline}) sees it: a failure of g2's app1 that the SDK wrote in binary mode, signed
 * as g2's reporter signs, its signature in {@code ce_} headers, is decided on like any other; and the
 * SDK's Kafka deserializer reads every record of every topic (the attacks' dead letters included:
 * they keep their originals' headers), each with the header GuestGuard writes and no record without it.
 */
class SignedAttacksFleetTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final EventCodec codec = new EventCodec();

    /** One attack: what was sent where (with which headers), and the dead letter it must end as. */
    private record Attack(String name, String topic, String key, byte[] value, Headers headers, String service, String reason) {

        /** An attack in structured mode, written as the binding says (so its dead letter reads as a CloudEvent). */
        Attack(String name, String topic, String key, byte[] value, String service, String reason) {
            this(name, topic, key, value, KafkaBinding.structured(), service, reason);
        }
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
            ProducerRecord<String, byte[]> withoutId = SdkPipeline.binary(log, "g1", signed(keys, Principal.guest("g1"),
                    event("binary-without-id", "g1", null, new AppFailed("app1", 4242L, null, "SIGKILL", null, null))));
            withoutId.headers().remove("ce_id");
            attacks.add(new Attack("a binary-mode fact without ce_id", log, "g1", withoutId.value(), withoutId.headers(),
                    "policy-engine", "binary mode: required header ce_id is missing"));

            Map<String, List<String>> letters = new TreeMap<>(); // "topic partition@offset" -> "service: reason" of each letter
            Map<String, Attack> sentAt = new TreeMap<>();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new ByteArraySerializer());
                 TopicReader deadLetters = new TopicReader(fleet.bootstrapServers(), topics.deadLetter())) {
                for (Attack attack : attacks) {
                    RecordMetadata at = producer.send(new ProducerRecord<>(attack.topic(), null, attack.key(), attack.value(),
                            attack.headers())).get();
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

            Set<String> forgedIds = attacks.stream().filter(a -> a.headers().lastHeader("ce_specversion") == null)
                    .map(a -> codec.decode(a.value(), a.headers()).id()).collect(Collectors.toSet());
            assertThat(observed.between(start, observed.mark(), e -> e.data() instanceof Decision d
                    && (d.causeIds().stream().anyMatch(forgedIds::contains) || d.action() == Decision.Action.FENCE_HOST
                    || d.action() == Decision.Action.FAILOVER || d.action() == Decision.Action.HALT_GUEST)))
                    .as("no decision from a refused record; nothing fenced, failed over or halted").isEmpty();
            fleet.services().forEach(service -> assertThat(service.isAlive()).as(service.name() + " runs").isTrue());

            int beforeKill = observed.mark();
            ProcessHandle.of(app1).orElseThrow().destroyForcibly();
            Observed.Seen restart = observed.await(beforeKill, e -> "g1".equals(e.guestId()) && e.data() instanceof Decision d
                            && d.action() == Decision.Action.RESTART_APP && "app1".equals(d.app()),
                    Observed.deadline(DEADLINE), "a restart of g1/app1 decided after the attacks");
            assertThat(pid(appStarted(observed, beforeKill, "g1", "app1"))).as("app1 runs again, as a new process").isNotEqualTo(app1);

            // Issue 20: g2/app1's failure as an outside producer writes it with the CloudEvents SDK, in binary mode.
            long g2app1 = pid(appStarted(observed, 0, "g2", "app1"));
            CloudEvent<AppFailed> failure = new CloudEvent<>("sdk-binary-" + UUID.randomUUID(), "/guest/g2/reporter", Instant.now(),
                    "g2", null, null, null, new AppFailed("app1", g2app1, null, "SIGKILL", null, null)).withTraceparent(Traceparent.start());
            ProducerRecord<String, byte[]> binary = SdkPipeline.binary(topics.guestLog(), "g2", signed(keys, Principal.guest("g2"), failure));
            assertThat(header(binary, "ce_dssematerial")).as("the signature, as a ce_ header").isNotEmpty();
            assertThat(header(binary, "ce_signedextattrs")).isEqualTo("guestid,traceparent");
            assertThat(header(binary, "content-type")).isEqualTo("application/json");
            assertThat(new String(binary.value(), StandardCharsets.UTF_8)).as("the value is the data alone").startsWith("{\"app\":\"app1\"");
            int beforeBinary = observed.mark();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(binary).get();
            }
            Observed.Seen decided = observed.await(beforeBinary, e -> "g2".equals(e.guestId()) && e.data() instanceof Decision d
                            && d.action() == Decision.Action.RESTART_APP && d.causeIds().contains(failure.id()),
                    Observed.deadline(DEADLINE), "a restart of g2/app1 decided on the SDK's binary-mode record");
            assertThat(((Decision) decided.event().data()).app()).isEqualTo("app1");
            assertThat(decided.event().traceparent().traceId()).as("the decision continues the fact's trace")
                    .isEqualTo(failure.traceparent().traceId());

            Map<String, SdkPipeline.Topic> read = SdkPipeline.readEveryTopic(fleet.bootstrapServers(), topics.all());
            read.forEach((topic, seen) -> {
                assertThat(seen.unmarked()).as("records on %s without content-type", topic).isEmpty();
                // All the SDK cannot read is the attack without ce_id, on the guest log, and its dead letters.
                assertThat(seen.unreadable()).as("records on %s the SDK cannot read", topic).allSatisfy((record, why) -> {
                    assertThat(record.headers().lastHeader("ce_id")).isNull();
                    assertThat(header(record, "ce_source")).isEqualTo("/attacker");
                    assertThat(why).contains("'id'");
                });
                if (topic.equals(topics.deadLetter())) {
                    assertThat(seen.unreadable().keySet()).isNotEmpty().allSatisfy(letter ->
                            assertThat(header(letter, DeadLetter.REASON)).startsWith("binary mode: required header ce_id is missing"));
                } else if (!topic.equals(topics.guestLog())) {
                    assertThat(seen.unreadable()).as("records on %s the SDK cannot read", topic).isEmpty();
                }
                assertThat(seen.read()).as("records on %s the SDK read", topic).isNotEmpty();
                seen.read().forEach(r -> {
                    io.cloudevents.CloudEvent e = r.event();
                    assertThat(e.getSpecVersion()).isEqualTo(SpecVersion.V1);
                    assertThat(e.getType()).as(topic).matches("io\\.guestguard\\.[a-z.-]+\\.v1");
                    assertThat(e.getId()).isNotEmpty();
                    assertThat(e.getSource().toString()).startsWith("/");
                    assertThat(e.getTime()).isNotNull();
                    assertThat(e.getDataContentType()).isEqualTo("application/json");
                    if (!forgedIds.contains(e.getId())) { // the unsigned attacks, and their dead letters
                        assertThat(e.getExtension("dssematerial")).as("signed: %s %s", topic, e.getType()).isNotNull();
                    }
                    assertThat(json(e).isObject()).isTrue();
                });
                System.out.printf("sdk: %-32s %,6d records read, types %s%n", topic, seen.read().size(),
                        seen.read().stream().map(r -> r.event().getType()).collect(Collectors.toCollection(TreeSet::new)));
            });
            assertThat(read.get(topics.guestLog()).read()).as("the binary-mode fact, read back by the SDK").anySatisfy(r -> {
                assertThat(r.event().getId()).isEqualTo(failure.id());
                assertThat(r.record().headers().lastHeader("ce_id")).isNotNull();
                assertThat(r.event().getExtension("guestid")).isEqualTo("g2");
                assertThat(json(r.event()).get("signal").asText()).isEqualTo("SIGKILL");
            });
            assertThat(read.get(topics.decisions()).read()).as("the decision on it, with its cause and its trace").anySatisfy(r -> {
                assertThat(r.event().getId()).isEqualTo(decided.event().id());
                assertThat(r.event().getType()).isEqualTo("io.guestguard.decision.v1");
                assertThat(r.event().getExtension("guestid")).isEqualTo("g2");
                assertThat(String.valueOf(r.event().getExtension("traceparent"))).contains(failure.traceparent().traceId());
                assertThat(json(r.event()).get("action").asText()).isEqualTo("RESTART_APP");
                assertThat(json(r.event()).get("causeIds").toString()).contains(failure.id());
            });
            assertThat(read.get(topics.deadLetter()).read()).as("an attack's dead letter, its reason in a header").anySatisfy(r -> {
                assertThat(r.event().getId()).isEqualTo("forged-host-lost");
                assertThat(header(r.record(), DeadLetter.REASON)).startsWith("unsigned");
            });
            assertThat(read.get(topics.hostHeartbeats()).read()).anySatisfy(r -> assertThat(r.event().getExtension("hostid")).isEqualTo("primary"));
            assertThat(read.get(topics.placements()).read()).anySatisfy(r -> assertThat(json(r.event()).get("epoch").asLong()).isPositive());

            // docs/pipelines.md's kcat and jq commands, as a reader runs them, on g1's restart.
            assertThat(PipelineCommands.installed("kcat") && PipelineCommands.installed("jq"))
                    .as("kcat and jq run docs/pipelines.md's commands: apt-get install kcat jq (.ci/run does)").isTrue();
            Map<String, String> commands = PipelineCommands.of(HOME.resolve("docs/pipelines.md"));
            assertThat(commands).containsOnlyKeys("headers", "restarts", "failures", "causes");
            Map<String, String> env = Map.of("BROKER", fleet.bootstrapServers(), "DECISION", restart.event().id());
            String cause = ((Decision) restart.event().data()).causeIds().get(0);
            assertThat(PipelineCommands.run(commands.get("headers"), env)).startsWith("content-type=application/cloudevents+json {");
            assertThat(PipelineCommands.run(commands.get("restarts"), env)).contains("{\"id\":\"" + restart.event().id()
                    + "\",\"guest\":\"g1\",\"app\":\"app1\",\"reason\":\"");
            assertThat(PipelineCommands.run(commands.get("failures"), env)).contains("{\"id\":\"" + cause + "\",\"guest\":\"g1\"");
            assertThat(PipelineCommands.run(commands.get("causes"), env).lines().distinct().toList()).singleElement().asString()
                    .startsWith("{\"id\":\"" + cause + "\",\"type\":\"io.guestguard.app.failed.v1\"");
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode json(io.cloudevents.CloudEvent event) {
        try {
            return JSON.readTree(event.getData().toBytes());
        } catch (java.io.IOException e) {
            throw new AssertionError("data of " + event.getType() + " is not JSON", e);
        }
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
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
