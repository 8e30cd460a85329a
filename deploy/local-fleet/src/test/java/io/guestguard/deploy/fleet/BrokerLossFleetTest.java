package io.guestguard.deploy.fleet;

import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.RestartApp;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19, point 1, on the packaged services: the two-host fleet on a KRaft cluster of three brokers.
 * A crash is restarted as on one broker; then, during a storm of at least 200 SIGKILLs of app2 (unlimited
 * restarts) on all three guests, the broker leading most of {@code guest-log.v1}'s partitions is halted
 * abruptly and later restarted, three times ({@code ./fleet brokerloss} does it five times for the figures).
 * Every failure has its fact and exactly one decision, a
 * restart, sent as exactly one command; no host is lost or fenced and no guest fails over; a live
 * migration afterwards runs and is re-verified by the watcher; replay reproduces every decision. Each halt's decision pause is printed, with p50 and max.
 */
class BrokerLossFleetTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
    private static final int HALTS = 3;
    private static final int FAILURES = 200;

    @Test
    void aBrokerHaltedUnderAFailureStormLosesNoFactAndDoublesNoDecision(@TempDir Path runDir) throws Exception {
        try (BenchFleet bench = BenchFleet.twoHosts(HOME, runDir.resolve("run"), "2", LocalFleet.Options.DEFAULT.withBrokers(3))) {
            LocalFleet fleet = bench.fleet();
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            assertThat(fleet.brokers()).isEqualTo(3);

            BrokerLossBenchmark.Report report = new BrokerLossBenchmark(fleet, observed, System.out, Duration.ofSeconds(60))
                    .run(HALTS, FAILURES / (HALTS + 2), FAILURES);
            System.out.println(report.summary());

            assertThat(report.halts()).hasSize(HALTS);
            assertThat(report.outcomes()).hasSizeGreaterThanOrEqualTo(FAILURES);
            assertThat(report.outcomes().stream().map(o -> o.failure().guest()).distinct()).hasSize(LocalFleet.GUESTS.size());
            assertThat(report.lost()).as("failures without their app.failed fact").isEmpty();
            assertThat(report.undecided()).as("failures never decided").isEmpty();
            assertThat(report.doubled()).as("failures decided more than once").isEmpty();
            assertThat(report.outcomes()).allSatisfy(o -> assertThat(((Decision) o.decisions().get(0).event().data()).action())
                    .as(o.failure().toString()).isEqualTo(Decision.Action.RESTART_APP));
            assertThat(report.halts()).extracting(BrokerLossBenchmark.Halt::partitions).allSatisfy(p -> assertThat(p).isNotEmpty());

            // Exactly one restart command per decision: none lost, none written twice across the leader changes.
            Set<String> decisionIds = report.outcomes().stream().map(o -> o.decisions().get(0).event().id()).collect(Collectors.toSet());
            Map<String, Integer> commands = restartCommandsByDecision(fleet);
            decisionIds.forEach(id -> assertThat(commands.getOrDefault(id, 0)).as("restart commands of decision " + id).isEqualTo(1));

            assertThat(observed.all(e -> e.data() instanceof HostLost || e.data() instanceof Decision d
                    && Set.of(Decision.Action.FENCE_HOST, Decision.Action.FAILOVER).contains(d.action())))
                    .as("no host lost or fenced, no guest failed over").isEmpty();

            // A live migration, once the halted brokers are back, works as on one broker: the guest runs on
            // standby and the watcher's rebind is answered there.
            int mark = observed.mark();
            long deadline = Observed.deadline(Duration.ofSeconds(60));
            fleet.tell("g1", new OperatorRequest(OperatorRequest.Action.MIGRATE, "standby", LocalFleet.OPERATOR.name()));
            observed.await(mark, e -> "g1".equals(e.guestId()) && e.data() instanceof MigrationCompleted c
                    && c.to().equals("standby"), deadline, "g1 migrated to standby");
            observed.await(mark, e -> "g1".equals(e.guestId()) && e.data() instanceof Rebound r && r.host().equals("standby"),
                    deadline, "g1's reporter rebound to standby");

            ReplayVerify.assertEveryDecisionReproduced(fleet.bootstrapServers());
        }
    }

    /** Every restart command on the guest-command topic, up to its end, counted by the decision that sent it. */
    private static Map<String, Integer> restartCommandsByDecision(LocalFleet fleet) {
        EventCodec codec = new EventCodec();
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(fleet.topics().guestCommands()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = Observed.deadline(Duration.ofSeconds(60));
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                assertThat(System.nanoTime()).as("read the guest commands to their end in time").isLessThan(deadline);
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (codec.decode(record.value(), record.headers()).data() instanceof RestartApp restart) {
                        counts.merge(restart.decisionId(), 1, Integer::sum);
                    }
                }
            }
        }
        return counts;
    }
}
