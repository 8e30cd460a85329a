package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged policy engine is killed with SIGKILL in the middle of a stream of failures and started
 * again: every failure gets exactly one decision and one command, and each application's restart
 * attempts count on without a gap or a repeat. This is what exactly-once processing with a restored
 * state store must give.
 */
class EngineCrashRecoveryTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../.."));
    private static final int GUESTS = 40;
    private static final int FAILURES_PER_GUEST = 10;

    private final EventCodec codec = new EventCodec();

    @Test
    void noDecisionIsLostOrMadeTwiceAcrossAnEngineCrash(@TempDir Path dir) throws Exception {
        Topics topics = Topics.DEFAULT;
        Set<String> factIds = new HashSet<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(topics, 3);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"), new StringSerializer(), new ByteArraySerializer());
             TopicReader decisions = new TopicReader(kafka.bootstrapServers(), topics.decisions());
             TopicReader commands = new TopicReader(kafka.bootstrapServers(), topics.guestCommands())) {
            Map<String, String> engineProperties = Map.of(
                    "kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "guestguard.policy.restart-limit", "unlimited",
                    "kafka-streams.state.dir", dir.resolve("state").toString());
            Path engineJar = HOME.resolve("policy-engine/target/quarkus-app/quarkus-run.jar");

            ServiceProcess first = ServiceProcess.start("policy-engine", engineJar, engineProperties, dir.resolve("engine-1.log"));
            sendFailures(producer, topics, 0, FAILURES_PER_GUEST / 2, factIds);
            await().atMost(Duration.ofSeconds(120)).until(() -> decisions.poll().size() >= GUESTS);
            sendFailures(producer, topics, FAILURES_PER_GUEST / 2, FAILURES_PER_GUEST, factIds);
            first.processTree().forEach(ProcessHandle::destroyForcibly); // a crash, not a shutdown
            assertThat(decisions.poll().size()).as("the crash came before the engine was done").isLessThan(factIds.size());

            try (ServiceProcess second = ServiceProcess.start("policy-engine", engineJar, engineProperties, dir.resolve("engine-2.log"))) {
                await().atMost(Duration.ofSeconds(180)).until(() -> decisions.poll().size() >= factIds.size());
                await().atMost(Duration.ofSeconds(30)).until(() -> commands.poll().size() >= factIds.size());
            }
            first.close();

            List<CloudEvent<?>> decided = decisions.poll().stream().map(this::decode).toList();
            assertThat(decided).hasSize(factIds.size());
            assertThat(decided.stream().map(CloudEvent::id).distinct()).hasSize(factIds.size());
            assertThat(decided.stream().flatMap(d -> ((Decision) d.data()).causeIds().stream()).collect(Collectors.toSet()))
                    .isEqualTo(factIds);
            Map<String, List<Integer>> attempts = new TreeMap<>();
            for (CloudEvent<?> command : commands.poll().stream().map(this::decode).toList()) {
                attempts.computeIfAbsent(command.guestId(), g -> new ArrayList<>()).add(((RestartApp) command.data()).attempt());
            }
            assertThat(attempts).hasSize(GUESTS);
            List<Integer> oneToTen = java.util.stream.IntStream.rangeClosed(1, FAILURES_PER_GUEST).boxed().toList();
            assertThat(attempts.values()).allSatisfy(a -> assertThat(a).isEqualTo(oneToTen));
        }
    }

    private void sendFailures(KafkaProducer<String, byte[]> producer, Topics topics, int from, int to, Set<String> ids)
            throws Exception {
        for (int n = from; n < to; n++) {
            for (int g = 0; g < GUESTS; g++) {
                String guest = "crash-g" + g;
                String id = guest + "-f" + n;
                ids.add(id);
                producer.send(new ProducerRecord<>(topics.guestLog(), guest, codec.encode(CloudEvent.ofGuest(id,
                        "/guest/" + guest + "/reporter", Instant.now(), guest, AppFailed.killed("app1", 1000 + n, "KILL")))));
            }
        }
        producer.flush();
    }

    private CloudEvent<?> decode(ConsumerRecord<String, byte[]> record) {
        return codec.decode(record.value());
    }
}
