package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.hostile.HostileRecords;
import io.guestguard.protocol.hostile.HostileRecords.Hostile;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hostile-record campaign against the real packaged services on the two-host local fleet (issue
 * 11): the three records that once stopped or blinded the control plane (a heartbeat whose time is
 * {@code not-a-time}, {@code garbage} on the placements, an {@code app.started} of g1 numbered 2^52),
 * then a sample of a few thousand hostile records on every topic a service reads: the guest log
 * (engine and watcher), the guests' and the hosts' beats, the placements, g1's commands (its
 * reporter) and primary's commands (its supervisor). Every record the decoding boundary rejects is
 * dead-lettered, with its reason, by each service that reads it; no host is lost, nothing is fenced
 * or failed over; and afterwards a real {@code kill -9} of g1's app1 is restarted, as before.
 *
 * <p>The sample's valid mutations name guests and hosts that do not exist ({@code hostile-g1},
 * {@code hostile-h1}, ...), so they are decided on without touching the fleet; the commands are
 * keyed to g1 and primary so that their readers read them, and name other guests or hosts, so the
 * readers refuse every one.
 */
class HostileRecordsFleetTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
    private static final int SAMPLE_EVERY = 40; // of 100,000: 2,500 records on each of six topics
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    private final EventCodec codec = new EventCodec();
    private final RecordGate gate = new RecordGate(codec);

    @Test
    void noRecordStopsOrBlindsTheFleetAndARealFailureIsStillRestarted(@TempDir Path runDir) throws Exception {
        try (BenchFleet bench = BenchFleet.twoHosts(HOME, runDir.resolve("run"), "2")) {
            LocalFleet fleet = bench.fleet();
            Topics topics = fleet.topics();
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            long app1 = pid(appStarted(observed, 0, "g1", "app1"));
            int campaignStart = observed.mark();

            Map<String, Set<String>> expected = new TreeMap<>(); // "service topic" -> partition@offset it must dead-letter
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, "5"), new StringSerializer(), new ByteArraySerializer())) {
                List<Sent> sent = new ArrayList<>();
                // The records quoted in the issue, with real keys.
                sent.add(send(producer, topics.heartbeats(), "g1", """
                        {"specversion":"1.0","id":"evil-1","source":"/guest/g1/reporter","type":"io.guestguard.heartbeat.v1",\
                        "time":"not-a-time","datacontenttype":"application/json","guestid":"g1",\
                        "data":{"role":"guest","id":"g1","guests":[]}}""".getBytes(StandardCharsets.UTF_8)));
                sent.add(send(producer, topics.placements(), "g1", "garbage".getBytes(StandardCharsets.UTF_8)));
                sent.add(send(producer, topics.guestLog(), "g1", """
                        {"specversion":"1.0","id":"evil-3","source":"/guest/g1/reporter","type":"io.guestguard.app.started.v1",\
                        "time":"2026-12-06T10:00:00Z","datacontenttype":"application/json","guestid":"g1",\
                        "guestseq":4503599627370496,"data":{"app":"app1","pid":4242}}""".getBytes(StandardCharsets.UTF_8)));
                List<Hostile> sample = sample();
                for (Hostile h : sample) {
                    sent.add(send(producer, topics.guestLog(), h.key(), h.value()));
                    sent.add(send(producer, topics.heartbeats(), h.key(), h.value()));
                    sent.add(send(producer, topics.hostHeartbeats(), h.key(), h.value()));
                    if (h.key() != null) {
                        sent.add(send(producer, topics.placements(), h.key(), h.value()));
                    }
                    sent.add(send(producer, topics.guestCommands(), "g1", h.value()));
                    sent.add(send(producer, topics.hostCommands(), "primary", h.value()));
                }
                for (Sent s : sent) {
                    RecordMetadata at = s.metadata().get();
                    expect(expected, topics, s, at.partition() + "@" + at.offset());
                }
                System.out.printf("campaign: fleet, %,d hostile records sent; the services must dead-letter %s%n",
                        sent.size(), counts(expected));
            }

            Map<String, Set<String>> dead = new TreeMap<>();
            try (TopicReader letters = new TopicReader(fleet.bootstrapServers(), topics.deadLetter())) {
                await("every rejected record dead-lettered by each service that read it").atMost(DEADLINE)
                        .pollInterval(Duration.ofMillis(500)).until(() -> {
                            for (ConsumerRecord<String, byte[]> letter : letters.pollNew(Duration.ofMillis(200))) {
                                assertThat(header(letter, DeadLetter.REASON)).isNotBlank().doesNotContain("\n");
                                dead.computeIfAbsent(header(letter, DeadLetter.SERVICE) + " " + header(letter, DeadLetter.TOPIC),
                                        k -> new HashSet<>()).add(header(letter, DeadLetter.PARTITION) + "@"
                                        + header(letter, DeadLetter.OFFSET));
                            }
                            return expected.entrySet().stream().allMatch(e ->
                                    dead.getOrDefault(e.getKey(), Set.of()).containsAll(e.getValue()));
                        });
            }
            System.out.printf("campaign: fleet, dead-lettered %s%n", counts(dead));

            fleet.services().forEach(service -> assertThat(service.isAlive()).as(service.name() + " runs").isTrue());
            assertThat(observed.between(campaignStart, observed.mark(), e -> e.data() instanceof Decision d
                    && (d.action() == Decision.Action.FENCE_HOST || d.action() == Decision.Action.FAILOVER
                    || d.action() == Decision.Action.ALERT && List.of("g1", "g2", "g3").contains(e.guestId())
                    && !d.reason().code().startsWith("SEQUENCE"))))
                    .as("nothing fenced or failed over; at most a sequence alert for g1").isEmpty();

            int beforeKill = observed.mark();
            ProcessHandle.of(app1).orElseThrow().destroyForcibly();
            observed.await(beforeKill, e -> "g1".equals(e.guestId()) && e.data() instanceof AppFailed f && f.app().equals("app1"),
                    Observed.deadline(DEADLINE), "g1/app1's failure after the campaign");
            observed.await(beforeKill, e -> "g1".equals(e.guestId()) && e.data() instanceof Decision d
                            && d.action() == Decision.Action.RESTART_APP && "app1".equals(d.app()),
                    Observed.deadline(DEADLINE), "a restart of g1/app1 decided after the campaign");
            assertThat(pid(appStarted(observed, beforeKill, "g1", "app1"))).as("app1 runs again, as a new process").isNotEqualTo(app1);
        }
    }

    /** Every 40th record of the 100,000-record campaign, out of the fleet's way. */
    private static List<Hostile> sample() {
        HostileRecords hostile = new HostileRecords(text -> text.replaceAll("\\bg([12])\\b", "hostile-g$1")
                .replaceAll("\\bh([12])\\b", "hostile-h$1"));
        List<Hostile> sample = new ArrayList<>();
        int[] n = {0};
        hostile.forEach(20261206L, 100_000, h -> {
            if (n[0]++ % SAMPLE_EVERY == 0) {
                sample.add(h);
            }
        });
        return sample;
    }

    /** Who must dead-letter what was sent: every reader of its topic whose gate rejects it. */
    private void expect(Map<String, Set<String>> expected, Topics topics, Sent sent, String offset) {
        String topic = sent.topic();
        if (topic.equals(topics.guestLog()) && rejected(gate::fact, sent)) {
            expected.computeIfAbsent("policy-engine " + topic, k -> new HashSet<>()).add(offset);
            expected.computeIfAbsent("migration-watcher " + topic, k -> new HashSet<>()).add(offset);
        } else if (topic.equals(topics.hostHeartbeats()) && rejected(gate::hostHeartbeat, sent)) {
            expected.computeIfAbsent("policy-engine " + topic, k -> new HashSet<>()).add(offset);
        } else if (topic.equals(topics.guestCommands()) && rejected(gate::guestCommand, sent)) {
            expected.computeIfAbsent("guest-reporter " + topic, k -> new HashSet<>()).add(offset);
        } else if (topic.equals(topics.hostCommands()) && rejected(gate::hostCommand, sent)) {
            expected.computeIfAbsent("host-supervisor " + topic, k -> new HashSet<>()).add(offset);
        }
        // heartbeats.v1: the watcher reads only beats that can change something (docs/architecture.md);
        // placements.v1: the engine's view and the supervisors' fleet watch skip what they cannot read.
    }

    private static boolean rejected(BiConsumer<String, byte[]> check, Sent sent) {
        try {
            check.accept(sent.key(), sent.value());
            return false;
        } catch (RejectedRecordException e) {
            return true;
        }
    }

    private static Observed.Seen appStarted(Observed observed, int from, String guest, String app) throws InterruptedException {
        return observed.await(from, e -> guest.equals(e.guestId()) && e.data() instanceof AppStarted s
                && s.app().equals(app) && s.pid() != null, Observed.deadline(DEADLINE), guest + "/" + app + " started");
    }

    private static long pid(Observed.Seen seen) {
        return ((AppStarted) seen.event().data()).pid();
    }

    private static Sent send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
        return new Sent(topic, key, value, producer.send(new ProducerRecord<>(topic, key, value)));
    }

    private record Sent(String topic, String key, byte[] value, Future<RecordMetadata> metadata) {
    }

    private static String counts(Map<String, Set<String>> byReader) {
        StringBuilder text = new StringBuilder();
        byReader.forEach((reader, offsets) -> text.append(text.isEmpty() ? "" : ", ").append(reader).append(": ")
                .append(String.format("%,d", offsets.size())));
        return text.toString();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
