package io.guestguard.policy.engine.streams;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.KeyRing;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The view's readers trust its entries ({@link VerifiedPlacements#read}: no signature verified again)
 * because Kafka Streams restores the global view through its updater, which verifies every record: an
 * engine without local state, restoring {@code placements.v1} on a real broker, keeps the genuine
 * placement and neither an unsigned one nor one whose signature names the engine's key but was made
 * by another, and counts the restored view for {@code min_package_node}. If a Kafka Streams upgrade
 * restored global stores raw again, this fails.
 */
class PlacementsViewRestoreTest {

    private final EventCodec codec = new EventCodec();
    private final Topics topics = new Topics("view-restore.");
    private final KeyRing ring = new KeyRing();
    private final SigningKey engine = SigningKey.generate(new Principal(Role.ENGINE, "engine-1"));
    private final SigningKey operator = SigningKey.generate(new Principal(Role.OPERATOR, "alice"));

    @Test
    void aRestoredViewHoldsOnlyWhatTheGateAcceptsAndIsCounted(@TempDir Path dir) {
        ring.register(engine, Instant.EPOCH);
        ring.register(operator, Instant.EPOCH);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), false, topics, 1)) {
            try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                producer.send(new ProducerRecord<>(topics.placements(), "g1", codec.encode(placement("g1", "h1"), engine)));
                producer.send(new ProducerRecord<>(topics.placements(), "g2", codec.encode(placement("g2", "h1"))));
                producer.send(new ProducerRecord<>(topics.placements(), "g3", Impostor.asKeyOf(engine,
                        codec.encode(placement("g3", "h1"), SigningKey.generate(engine.principal())), codec)));
                producer.flush();
            }
            RecordGate gate = new RecordGate(codec, new Provenance(ring));
            EngineTrust trust = new EngineTrust(gate, Signer.with(codec, engine), Signer.with(codec, engine));
            AtomicLong restored = new AtomicLong();
            try (KafkaStreams streams = new KafkaStreams(DecisionTopology.build(topics, new Decider(new RestartLimit(3)), codec,
                    DecisionTopology.HostDetection.DEFAULT, trust), settings(kafka.bootstrapServers(), dir.resolve("state")))) {
                streams.setGlobalStateRestoreListener(new Restored(restored));
                streams.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.RUNNING);

                assertThat(restored.get()).as("the three records came in by the restore, not by processing").isEqualTo(3);
                ReadOnlyKeyValueStore<String, byte[]> view = streams.store(StoreQueryParameters.fromNameAndType(
                        DecisionTopology.PLACEMENTS_VIEW, QueryableStoreTypes.keyValueStore()));
                assertThat(view.get("g1")).as("the engine's placement").isNotNull();
                assertThat(view.get("g2")).as("unsigned").isNull();
                assertThat(view.get("g3")).as("signed by another key than the one it names").isNull();
                assertThat(new PlacementsView(view, trust.placements()).get("g1")).extracting(GuestPlacement::host).isEqualTo("h1");

                // The restored view is counted for min_package_node: g1 on h1, so a new guest starts on h2.
                try (KafkaProducer<String, byte[]> producer = producer(kafka);
                     KafkaConsumer<String, byte[]> hostCommands = new KafkaConsumer<>(Map.of(
                             ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                             ConsumerConfig.GROUP_ID_CONFIG, "view-restore-test-reader",
                             ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
                    PackageSpec spec = new PackageSpec("g9", List.of("h1", "h2"), PackageSpec.FailoverPolicy.MIN_PACKAGE_NODE,
                            PackageSpec.FailbackPolicy.MANUAL, true, false,
                            List.of(new PackageSpec.AppPolicy("app1", 3, null, PackageSpec.Backoff.NONE)));
                    producer.send(new ProducerRecord<>(topics.guestLog(), "g9", codec.encode(CloudEvent.ofGuest("g9-package",
                            "/operator/alice", Instant.now(), "g9", new PackageApplied(spec)), operator)));
                    hostCommands.subscribe(List.of(topics.hostCommands()));
                    List<StartGuest> starts = new ArrayList<>();
                    await().atMost(Duration.ofSeconds(60)).until(() -> {
                        hostCommands.poll(Duration.ofMillis(200)).forEach(r -> {
                            if (codec.decode(r.value()).data() instanceof StartGuest start) {
                                starts.add(start);
                            }
                        });
                        return !starts.isEmpty();
                    });
                    assertThat(starts).singleElement().extracting(StartGuest::host).isEqualTo("h2");
                }
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static Properties settings(String servers, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "view-restore-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return props;
    }

    private static CloudEvent<GuestPlacement> placement(String guest, String host) {
        return new CloudEvent<>("placement-" + guest, "/policy-engine", Instant.parse("2026-12-07T00:00:00Z"), guest, null, host, 1L,
                new GuestPlacement(host, 1, PlacementPhase.RUNNING, Map.of()));
    }

    /** Counts what the global restore put through, whichever way Kafka Streams restores it. */
    private record Restored(AtomicLong count) implements StateRestoreListener {
        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
            if (store.equals(DecisionTopology.PLACEMENTS_VIEW)) {
                count.addAndGet(totalRestored);
            }
        }
    }
}
