package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.testing.MemoryTempDir;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's state stays bounded under forged keys (docs/architecture.md, "Bounded state"): facts
 * for distinct guest ids and facts naming distinct applications and hosts for one guest, through the
 * engine's topology on Kafka Streams' test driver, leave every stored state below
 * its stated size, one record per guest, no guest waiting for a deadline, and the decide processor
 * and its helpers with no field that can grow: the store is the engine's only memory of a guest.
 */
class BoundedStateTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    /**
     * Forged keys of each kind. Fewer than the pure decider's 100,000 (policy-core's BoundedStateTest):
     * the test driver commits after every record, so even with its stores in memory 200,000 records take
     * about four minutes here; the sizes do not depend on how many keys came before, and the processor
     * stores the pure decider's state byte for byte. {@code -Dkeys=100000} runs the full count.
     */
    private static final int KEYS = Integer.getInteger("keys", 10_000);
    /** As policy-core's BoundedStateTest states them. */
    private static final int FORGED_GUEST_BYTES = 1024;
    private static final int FLOODED_GUEST_BYTES = 6 * 1024;

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.DEFAULT;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> guestLog;

    @BeforeEach
    void start(@TempDir(factory = MemoryTempDir.class) Path state) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bounded-state-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        driver = new TopologyTestDriver(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec), props, T0);
        guestLog = driver.createInputTopic(topics.guestLog(), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void forgedGuestIdsAndNamesLeaveEveryStoredStateBounded() {
        PackageSpec spec = new PackageSpec("g1", List.of("h1", "h2"), PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", 3, 600_000L, PackageSpec.Backoff.NONE)));
        pipe(CloudEvent.ofGuest("p", "/operator/alice", T0, "g1", new PackageApplied(spec)));
        pipe(new CloudEvent<>("s", "/host/h1", T0, "g1", null, "h1", 1L, new GuestStarted("h1")));
        for (int i = 0; i < KEYS; i++) {
            pipe(CloudEvent.ofGuest("g-" + i, "/attacker", T0, "forged-" + i, AppFailed.killed("app-" + i, 1 + i, "KILL")));
            Fact named = switch (i % 3) {
                case 0 -> AppFailed.killed("app-" + i, 1 + i, "KILL");
                case 1 -> new HostLost("host-" + i);
                default -> new OperatorRequest(OperatorRequest.Action.HOST_MAINTENANCE_ON, "host-" + i, "mallory");
            };
            pipe(new CloudEvent<>("n-" + i, "/attacker", T0, "g1", (long) i * 7919, null, null, named));
        }

        KeyValueStore<String, byte[]> states = driver.getKeyValueStore(DecisionTopology.STATE_STORE);
        int guests = 0;
        int largestForged = 0;
        try (KeyValueIterator<String, byte[]> all = states.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                guests++;
                if (entry.key.equals("g1")) {
                    assertThat(entry.value.length).as("g1, flooded with %,d forged names", KEYS).isLessThan(FLOODED_GUEST_BYTES);
                } else {
                    largestForged = Math.max(largestForged, entry.value.length);
                }
            }
        }
        assertThat(guests).as("one record per guest id").isEqualTo(KEYS + 1);
        assertThat(largestForged).isLessThan(FORGED_GUEST_BYTES);
        assertThat(driver.<String, Long>getKeyValueStore(DecisionTopology.DEADLINES_STORE).approximateNumEntries())
                .as("no guest waits for a deadline").isZero();
    }

    @Test
    void theProcessorAndItsHelpersHoldNothingThatGrows() {
        assertThat(PER_RECORD).allSatisfy(name -> assertThat(List.of(DecideProcessor.class.getDeclaredFields()))
                .extracting(Field::getName).contains(name.substring(name.indexOf('.') + 1)));
        for (Class<?> type : List.of(DecideProcessor.class, DeadlineTicks.class, Decider.class)) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || PER_RECORD.contains(type.getSimpleName() + "." + field.getName())) {
                    continue;
                }
                assertThat(Collection.class.isAssignableFrom(field.getType()) || Map.class.isAssignableFrom(field.getType())
                        || field.getType().isArray()).as("%s.%s can grow", type.getSimpleName(), field.getName()).isFalse();
            }
        }
    }

    /** Buffers of the record in hand, emptied when it is done (so they hold one record's outputs at most). */
    private static final java.util.Set<String> PER_RECORD = java.util.Set.of("DecideProcessor.writes");

    private void pipe(CloudEvent<? extends Fact> fact) {
        guestLog.pipeInput(fact.guestId(), codec.encode(fact), T0);
    }
}
