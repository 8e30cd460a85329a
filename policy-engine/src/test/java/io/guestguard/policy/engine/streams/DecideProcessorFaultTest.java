package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.FleetView;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A record whose processing throws leaves nothing behind but its dead letter, and the next one is processed. */
class DecideProcessorFaultTest {

    private final EventCodec codec = new EventCodec();
    private final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
    private final KeyValueStore<String, byte[]> states = MockStores.add(context, DecisionTopology.STATE_STORE);
    private final KeyValueStore<String, byte[]> packages = MockStores.add(context, DecisionTopology.PACKAGE_STORE);
    /** The count of guests per host, read only for a guest that chooses its host by load, fails as a disk would. */
    private final DecideProcessor processor = new DecideProcessor(new Decider(new RestartLimit(3)), codec, EngineTrust.off(codec),
            EngineMetrics.none(), EngineTracing.DEFAULT, new GuestsPerHost() {
                @Override
                synchronized FleetView of(Collection<String> hosts) {
                    throw new ProcessorStateException("disk failed");
                }
            });

    @Test
    void aRecordWhoseProcessingThrowsIsDeadLetteredAndWritesNothingElse() {
        context.addStateStore(failingStore(DecisionTopology.PLACEMENTS_VIEW)); // a disk that fails under the view too
        processor.init(context);
        context.setCurrentSystemTimeMs(0L);

        process("g1", applied("p1", "g1", PackageSpec.FailoverPolicy.CONFIGURED_NODE));
        byte[] before = states.get("g1");
        context.resetForwards();
        // A package that chooses its host by load reads the count when it is applied, and the count throws.
        process("g1", applied("p2", "g1", PackageSpec.FailoverPolicy.MIN_PACKAGE_NODE));
        // The next record does not need the view.
        process("g2", applied("p3", "g2", PackageSpec.FailoverPolicy.CONFIGURED_NODE));

        var deadLetters = context.forwarded(DecisionTopology.DEAD_LETTER);
        assertThat(deadLetters).singleElement().satisfies(dead -> {
            assertThat(dead.record().key()).isEqualTo("g1");
            assertThat(new String(dead.record().headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
                    .isEqualTo("processing failed: org.apache.kafka.streams.errors.ProcessorStateException: disk failed");
        });
        assertThat(states.get("g1")).as("no state written for the failed record").isEqualTo(before);
        assertThat(codec.decode(packages.get("g1")).id()).as("nor its package").isEqualTo("p1");
        assertThat(context.forwarded().stream().filter(f -> !f.childName().orElseThrow().equals(DecisionTopology.DEAD_LETTER)))
                .as("nothing forwarded for the failed record, everything for the next")
                .allSatisfy(f -> assertThat(f.record().key()).isIn("g2", "h1"))
                .extracting(f -> f.childName().orElseThrow())
                .contains(DecisionTopology.DECISIONS, DecisionTopology.HOST_COMMANDS, DecisionTopology.PLACEMENTS, DecisionTopology.PACKAGES);
        assertThat(states.get("g2")).isNotNull();
        assertThat(packages.get("g2")).isNotNull();
    }

    private void process(String guest, CloudEvent<PackageApplied> fact) {
        context.setRecordMetadata("guestguard.guest-log.v1", 0, 7);
        processor.process(new Record<>(guest, codec.encode(fact), 0L));
    }

    private static CloudEvent<PackageApplied> applied(String id, String guest, PackageSpec.FailoverPolicy policy) {
        return CloudEvent.ofGuest(id, "/operator/test", Instant.parse("2026-11-26T12:00:00Z"), guest,
                new PackageApplied(new PackageSpec(guest, List.of("h1", "h2"), policy, PackageSpec.FailbackPolicy.MANUAL, true,
                        true, List.of(new PackageSpec.AppPolicy("app1", 1, null, PackageSpec.Backoff.NONE)))));
    }

    @SuppressWarnings("unchecked")
    private static StateStore failingStore(String name) {
        return (StateStore) Proxy.newProxyInstance(DecideProcessorFaultTest.class.getClassLoader(), new Class<?>[] {KeyValueStore.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> name;
                    case "persistent" -> false;
                    case "isOpen" -> true;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new ProcessorStateException("disk failed");
                });
    }
}
