package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A policy engine instance that is stopped (SIGTERM) leaves its consumer group, so the other instance
 * takes its partitions at once, not after the session timeout. The session timeout is set to 30 s
 * here, far beyond the wait: an instance that did not leave (Kafka Streams' own behaviour on close)
 * would keep its partitions for those 30 s and this would fail.
 */
class EngineLeavesGroupTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../.."));
    private final EventCodec codec = new EventCodec();

    @Test
    void aStoppedEnginesPartitionsMoveAtOnce(@TempDir Path dir) throws Exception {
        try (LocalFleet fleet = LocalFleet.startEngines(HOME.toAbsolutePath().normalize(), dir, 2, "unlimited",
                Map.of("kafka-streams.consumer.session.timeout.ms", "30000"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrapServers()));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     fleet.bootstrapServers()), new StringSerializer(), new ByteArraySerializer());
             TopicReader decisions = new TopicReader(fleet.bootstrapServers(), fleet.topics().decisions())) {
            fleet.awaitEngineReady(Duration.ofSeconds(120));
            MemberDescription owner = await().atMost(Duration.ofSeconds(60)).until(() -> members(admin).stream()
                    .filter(m -> guestLogPartitions(List.of(m)).contains(0)).findFirst().orElse(null), m -> m != null);
            ServiceProcess stopped = fleet.engines().values().stream()
                    .filter(e -> owner.clientId().startsWith(e.name() + "-StreamThread-")).findFirst().orElseThrow();

            stopped.terminate();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Collection<MemberDescription> left = members(admin);
                assertThat(left).singleElement().satisfies(m -> assertThat(m.clientId()).doesNotStartWith(stopped.name() + "-StreamThread-"));
                assertThat(guestLogPartitions(left)).containsExactlyInAnyOrder(0, 1, 2);
            });
            for (int g = 0; g < 12; g++) { // guests on every partition
                String guest = "leave-g" + g;
                producer.send(new ProducerRecord<>(fleet.topics().guestLog(), guest, fleet.keys().encodeAsWriter(CloudEvent.ofGuest(
                        guest + "-f1", "/guest/" + guest + "/reporter", Instant.now(), guest, AppFailed.killed("app1", 100, "KILL")))));
            }
            producer.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> decisions.poll().stream().map(r -> r.key()).distinct().count() == 12);
        }
    }

    private static Collection<MemberDescription> members(Admin admin) throws Exception {
        return admin.describeConsumerGroups(List.of(LocalFleet.ENGINE_APPLICATION_ID)).all().get()
                .get(LocalFleet.ENGINE_APPLICATION_ID).members();
    }

    private Set<Integer> guestLogPartitions(Collection<MemberDescription> members) {
        return members.stream().flatMap(m -> m.assignment().topicPartitions().stream())
                .filter(tp -> tp.topic().equals("guestguard.guest-log.v1")).map(tp -> tp.partition()).collect(Collectors.toSet());
    }
}
