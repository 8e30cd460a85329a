package io.guestguard.protocol.hostile;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decoding boundary over 100,000 hostile records: for every one, every method of the gate
 * returns an event or throws {@link RejectedRecordException} with a one-line reason, and nothing
 * else ever escapes. The golden samples themselves still pass (the campaign is not rejecting
 * everything).
 */
class HostileCodecCampaignTest {

    private static final int RECORDS = 100_000;

    private final RecordGate gate = new RecordGate(new EventCodec());
    private final HostileRecords hostile = new HostileRecords(UnaryOperator.identity());

    @Test
    void everyHostileRecordIsAnEventOrARejectionWithAReasonAtEveryGate() {
        Map<String, BiConsumer<String, byte[]>> gates = Map.of(
                "fact", gate::fact, "heartbeat", gate::heartbeat, "hostHeartbeat", gate::hostHeartbeat,
                "guestCommand", gate::guestCommand,
                "hostCommand", gate::hostCommand, "placement", gate::placement, "decision", gate::decision,
                "keyRecord", gate::keyRecord);
        Map<String, int[]> outcomes = new TreeMap<>(); // gate -> {accepted, rejected}
        int[] seen = {0};
        hostile.forEach(20261206L, RECORDS, record -> {
            seen[0]++;
            gates.forEach((name, check) -> {
                int[] counts = outcomes.computeIfAbsent(name, n -> new int[2]);
                try {
                    check.accept(record.key(), record.value());
                    counts[0]++;
                } catch (RejectedRecordException e) {
                    assertThat(e.reason()).as(record.label()).isNotBlank().doesNotContain("\n", "\r");
                    counts[1]++;
                }
            });
        });

        assertThat(seen[0]).isGreaterThanOrEqualTo(RECORDS);
        outcomes.forEach((name, counts) -> System.out.printf("campaign: gate %-12s accepted %,7d rejected %,7d%n",
                name, counts[0], counts[1]));
        outcomes.values().forEach(counts -> assertThat(counts[0] + counts[1]).isEqualTo(seen[0]));
        assertThat(outcomes.get("fact")[0]).as("some mutated facts are still valid and pass").isPositive();
    }

    @Test
    void theGoldenSamplesPassTheirOwnGate() {
        hostile.originals().forEach(original -> {
            switch (original.family()) {
                case "fact" -> gate.fact(original.key(), original.value());
                case "heartbeat" -> gate.heartbeat(original.key(), original.value());
                case "host-beat" -> gate.hostHeartbeat(original.key(), original.value());
                case "guest-command" -> gate.guestCommand(original.key(), original.value());
                case "host-command" -> gate.hostCommand(original.key(), original.value());
                case "placement" -> gate.placement(original.key(), original.value());
                case "decision" -> gate.decision(original.key(), original.value());
                case "key" -> gate.keyRecord(original.key(), original.value());
                default -> throw new AssertionError("unknown family " + original.family());
            }
        });
    }
}
