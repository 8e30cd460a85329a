package io.guestguard.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A dead letter's reason has a kind from a bounded set: the reasons the codec and the gate really give
 * are of the kind they name, the others' leading words too, and anything else is {@code other}.
 */
class DeadLetterKindTest {

    private final EventCodec codec = new EventCodec();
    private final RecordGate gate = new RecordGate(codec);

    @Test
    void theCodecsAndTheGatesOwnReasonsHaveTheirKinds() {
        assertThat(kindOf(() -> codec.decode(null))).isEqualTo(DeadLetterKind.UNREADABLE);
        assertThat(kindOf(() -> codec.decode("{]".getBytes(StandardCharsets.UTF_8)))).isEqualTo(DeadLetterKind.UNREADABLE);
        assertThat(kindOf(() -> codec.decode("{\"specversion\":\"1.0\"}".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(DeadLetterKind.INVALID);
        assertThat(kindOf(() -> codec.decode(("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/x\",\"type\":\"com.example.v1\","
                + "\"time\":\"2026-11-26T12:00:00Z\",\"data\":{}}").getBytes(StandardCharsets.UTF_8)))).isEqualTo(DeadLetterKind.UNKNOWN_TYPE);
        byte[] started = codec.encode(CloudEvent.ofGuest("e1", "/guest/g1/reporter", Instant.EPOCH, "g1", new AppStarted("app1", 7L)));
        assertThat(kindOf(() -> gate.fact("g2", started))).as("under another guest's key").isEqualTo(DeadLetterKind.MISPLACED);
        assertThat(kindOf(() -> gate.guestCommand("g1", started))).as("a fact on the commands' topic").isEqualTo(DeadLetterKind.MISPLACED);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "unsigned: the event has no verifiability material | UNSIGNED",
            "bad signature: not made by key k1 of guest g1 | BAD_SIGNATURE",
            "unknown key 'k9' | UNKNOWN_KEY",
            "revoked key k1 of guest g1 (revoked at 2026-12-06T10:00:00Z) | REVOKED_KEY",
            "not authorized: guest g3 may not emit host.lost | NOT_AUTHORIZED",
            "replayed: event e1 of guest g1 was read before at guest-log.v1-0@4 | REPLAYED",
            "guest reporter-test has no application 'no-such-app' | REFUSED",
            "the command journal refuses its id: it holds a newline | REFUSED",
            "addressed to host h2, not h1 | MISPLACED",
            "a tick for partition 3 read from partition 1: a detector writes its ticks into the partition it reads | MISPLACED",
            "partition 0 already watches 1000 hosts, the most it keeps | OVER_BOUND",
            "processing failed in decide: java.lang.IllegalStateException: boom | FAILED",
            "could not be applied: java.lang.NullPointerException | FAILED",
            "the stored state of guest g1 was quarantined: format 9 is newer | QUARANTINED",
            "the stored watch of guest g1 was quarantined: unreadable | QUARANTINED",
            "something nobody foresaw | OTHER"})
    void leadingWordsGiveTheKind(String reason, DeadLetterKind kind) {
        assertThat(DeadLetterKind.of(reason)).isEqualTo(kind);
    }

    @Test
    void noReasonIsOtherAndLabelsAreTheKindsInLowerCase() {
        assertThat(DeadLetterKind.of(null)).isEqualTo(DeadLetterKind.OTHER);
        assertThat(Arrays.stream(DeadLetterKind.values()).map(DeadLetterKind::label))
                .contains("bad-signature", "unknown-type", "over-bound").allMatch(l -> l.matches("[a-z-]+"));
    }

    @Test
    void eachServiceCountsByKind() {
        DeadLetterCounts counts = DeadLetterCounts.of("dead-letter-kind-test");
        long before = counts.count(DeadLetterKind.UNREADABLE);
        counts.count("malformed JSON: Unexpected character");
        assertThat(counts.count(DeadLetterKind.UNREADABLE)).isEqualTo(before + 1);
        assertThat(DeadLetterCounts.of("dead-letter-kind-test")).isSameAs(counts);
        assertThat(DeadLetterCounts.of("another-service").count(DeadLetterKind.UNREADABLE)).isZero();
    }

    private static DeadLetterKind kindOf(Supplier<?> read) {
        RejectedRecordException e = catchThrowableOfType(read::get, RejectedRecordException.class);
        assertThat(e).as("rejected").isNotNull();
        return DeadLetterKind.of(e.reason());
    }
}
