package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadlineReached;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's clock on the test driver: a fact is decided at its record's timestamp (the broker's
 * append time on a real guest log), never at the time its writer stamped; and time reaches the
 * decider through the {@code deadline.reached} facts the engine writes back to the guest log when,
 * by its wall clock, a fence has gone unconfirmed too long.
 */
class DecisionTimeTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> guestLog;
    private TestOutputTopic<String, byte[]> decisions;
    private TestOutputTopic<String, byte[]> hostCommands;
    private TestOutputTopic<String, byte[]> written;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "decision-time-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/decision-time-test-state");
        driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec), props, T0);
        guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(), new ByteArraySerializer());
        decisions = driver.createOutputTopic(topics.decisions(), new StringDeserializer(), new ByteArrayDeserializer());
        hostCommands = driver.createOutputTopic(topics.hostCommands(), new StringDeserializer(), new ByteArrayDeserializer());
        written = driver.createOutputTopic(topics.guestLog(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aGuestTwoHoursBehindFailsOverOnItsThirdFailureAsWithATrueClock() {
        pipe(applied(2), T0);  // service_restart 2, failure window 10 minutes
        pipe(started(), T0.plusSeconds(20));
        Instant behind = T0.minus(Duration.ofHours(2));
        for (int i = 1; i <= 3; i++) {
            pipe(CloudEvent.ofGuest("f" + i, "/guest/g1/reporter", behind.plusSeconds(30L * i), "g1",
                    AppFailed.killed("app1", 100 + i, "KILL")), T0.plusSeconds(60L + 3 * i));
        }

        List<CloudEvent<?>> decided = decisions.readValuesToList().stream().<CloudEvent<?>>map(codec::decode).toList();
        assertThat(decided).extracting(d -> ((Decision) d.data()).action()).containsExactly(Decision.Action.START_GUEST,
                Decision.Action.RESTART_APP, Decision.Action.RESTART_APP, Decision.Action.FAILOVER);
        CloudEvent<?> first = decided.get(1);
        assertThat(first.time()).as("stamped with the record's time").isEqualTo(T0.plusSeconds(63));
        assertThat(((Decision) first.data()).factTime()).as("the fact's own time, shown next to it")
                .isEqualTo(behind.plusSeconds(30));
    }

    @Test
    void anUnconfirmedFenceIsAskedAgainWhenTheEnginesTickBringsTheTime() {
        pipe(applied(2), T0);
        pipe(started(), T0.plusSeconds(20));
        pipe(CloudEvent.ofGuest("lost", "/host-detector", T0.plusSeconds(30), "g1", new HostLost("h1")), T0.plusSeconds(30));
        assertThat(fences()).containsExactly(new FenceHost("h2", "h1", "decision-lost"));
        written.readValuesToList();

        driver.advanceWallClockTime(Duration.ofSeconds(89));
        assertThat(written.readValuesToList()).as("nothing is due before 60 s after the fence").isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        List<CloudEvent<?>> ticks = written.readValuesToList().stream().<CloudEvent<?>>map(codec::decode).toList();
        assertThat(ticks).singleElement().satisfies(t -> {
            assertThat(t.data()).isInstanceOf(DeadlineReached.class);
            assertThat(((DeadlineReached) t.data()).dueAt()).isEqualTo(T0.plusSeconds(90));
        });
        // The driver pipes what the topology writes to its own source back in, as the guest log would.
        List<FenceHost> again = fences();
        assertThat(again).singleElement().satisfies(f -> assertThat(f.lostHost()).isEqualTo("h1"));
        assertThat(again.get(0).decisionId()).startsWith("decision-deadline-g1-");
        assertThat(driver.<String, Long>getKeyValueStore(DecisionTopology.DEADLINES_STORE).get("g1"))
                .as("the next attempt is due 120 s later").isEqualTo(T0.plusSeconds(91 + 120).toEpochMilli());
    }

    private List<FenceHost> fences() {
        return hostCommands.readValuesToList().stream().map(v -> codec.decode(v).data())
                .filter(FenceHost.class::isInstance).map(FenceHost.class::cast).toList();
    }

    private void pipe(CloudEvent<? extends Fact> fact, Instant recordTime) {
        guestLog.pipeInput(fact.guestId(), codec.encode(fact), recordTime);
    }

    private static CloudEvent<PackageApplied> applied(int restartLimit) {
        PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", restartLimit, 600_000L, PackageSpec.Backoff.NONE)));
        return CloudEvent.ofGuest("p1", "/operator/test", T0, "g1", new PackageApplied(spec));
    }

    private static CloudEvent<GuestStarted> started() {
        return new CloudEvent<>("s1", "/host/h1", T0.plusSeconds(20), "g1", null, "h1", 1L, new GuestStarted("h1"));
    }
}
