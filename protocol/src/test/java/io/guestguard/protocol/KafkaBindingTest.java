package io.guestguard.protocol;

import io.guestguard.protocol.trust.KeyRing;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.SigningKey;
import io.guestguard.protocol.testing.BinaryMode;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CloudEvents Kafka binding at the decoding boundary: what GuestGuard writes is structured mode
 * with its content type; what it reads may be structured mode with or without that header (records
 * from before it) or binary mode, and a signed event verifies in either mode, since the signature
 * covers the attributes and the data, not the bytes that carry them.
 */
class KafkaBindingTest {

    private static final Instant AT = Instant.parse("2026-12-06T08:00:00.123Z");

    private final EventCodec codec = new EventCodec();
    private final KeyRing ring = new KeyRing();
    private final SigningKey g1 = SigningKey.generate(Principal.guest("g1"));
    private final RecordGate gate = new RecordGate(codec, new Provenance(ring));

    KafkaBindingTest() {
        ring.register(g1, AT);
    }

    private static CloudEvent<AppFailed> appFailed() {
        return new CloudEvent<>("f-1", "/guest/g1/reporter", AT, "g1", 7L, null, null, new AppFailed("web", 42L, null, "KILL", null, null))
                .withTraceparent(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    }

    private BinaryMode binary(byte[] structured) {
        return BinaryMode.of(codec, structured);
    }

    @Test
    void everyRecordWrittenIsStructuredModeWithItsContentType() {
        ProducerRecord<String, byte[]> record = KafkaBinding.record("guestguard.guest-log.v1", "g1", codec.encode(appFailed(), g1));

        assertThat(text(record.headers(), "content-type")).isEqualTo("application/cloudevents+json");
        assertThat(record.headers().toArray()).hasSize(1);
        RecordHeaders twice = KafkaBinding.structured(KafkaBinding.structured());
        assertThat(twice.headers("content-type")).hasSize(1);
    }

    @Test
    void aStructuredRecordReadsTheSameWithItsHeaderWithoutOneAndWithParameters() {
        byte[] value = codec.encode(appFailed(), g1);

        assertThat(gate.fact("g1", value, KafkaBinding.structured(), null)).isEqualTo(appFailed());
        assertThat(gate.fact("g1", value, new RecordHeaders(), null)).isEqualTo(appFailed()); // written before the header
        assertThat(gate.fact("g1", value, null, null)).isEqualTo(appFailed());
        RecordHeaders withCharset = new RecordHeaders();
        withCharset.add("content-type", utf8("Application/CloudEvents+JSON; charset=UTF-8"));
        assertThat(gate.fact("g1", value, withCharset, null)).isEqualTo(appFailed());
        RecordHeaders copiedFromABinaryInput = KafkaBinding.structured(binary(value).headers());
        assertThat(gate.fact("g1", value, copiedFromABinaryInput, null)).as("the content type decides, as in the SDKs")
                .isEqualTo(appFailed());
    }

    @Test
    void aBinaryRecordIsTheSameEventAndItsSignatureVerifies() {
        BinaryMode binary = binary(codec.encode(appFailed(), g1));
        assertThat(text(binary.headers(), "ce_dssematerial")).isNotEmpty();
        assertThat(text(binary.headers(), "ce_guestseq")).isEqualTo("7");

        CloudEvent<? extends Fact> read = gate.fact("g1", binary.value(), binary.headers(), null);

        assertThat(read).isEqualTo(appFailed());
        // The time in another offset is the same instant, and what is signed is the instant in UTC.
        assertThat(gate.fact("g1", binary.value(), binary.with("ce_time", "2026-12-06T09:00:00.123+01:00").headers(), null))
                .isEqualTo(appFailed());
    }

    @Test
    void aBinaryRecordAlteredInAHeaderOrItsDataFailsItsSignature() {
        byte[] signed = codec.encode(appFailed(), g1);

        assertRejected(binary(signed).with("ce_guestseq", "8"), "bad signature: the event is not the one that was signed");
        assertRejected(new BinaryMode(binary(signed).headers(), utf8("{\"app\":\"web\",\"pid\":43,\"signal\":\"KILL\"}")),
                "bad signature: the event is not the one that was signed");
        assertRejected(binary(signed).with("content-type", null), "bad signature: the event is not the one that was signed");
        assertRejected(binary(signed).with("ce_dssematerial", null), "unsigned");
    }

    @Test
    void aBinaryRecordWithoutARequiredAttributeIsRejectedWithTheHeaderItLacks() {
        byte[] signed = codec.encode(appFailed(), g1);

        assertRejected(binary(signed).with("ce_id", null), "binary mode: required header ce_id is missing");
        assertRejected(binary(signed).with("ce_source", null), "binary mode: required header ce_source is missing");
        assertRejected(binary(signed).with("ce_type", null), "binary mode: required header ce_type is missing");
        assertRejected(binary(signed).with("ce_time", null), "binary mode: required header ce_time is missing");
        assertRejected(binary(signed).with("ce_specversion", "0.3"), "binary mode: ce_specversion is '0.3', not 1.0");
    }

    @Test
    void aBinaryRecordIsCheckedAsStrictlyAsAStructuredOne() {
        byte[] signed = codec.encode(appFailed(), g1);

        assertRejected(new BinaryMode(binary(signed).headers(), utf8("not json")), "binary mode: the value (the data) is malformed JSON");
        assertRejected(new BinaryMode(binary(signed).headers(), null), "binary mode: no value, where the data must be");
        assertRejected(binary(signed).with("ce_guestseq", "007"), "not a GuestGuard CloudEvent");
        assertRejected(binary(signed).with("ce_type", "io.guestguard.app.exploded.v1"), "unknown type 'io.guestguard.app.exploded.v1'");
        assertRejected(binary(signed).with("ce_data", "{}"), "header 'ce_data' is not allowed");
        assertRejected(binary(signed).with("ce_datacontenttype", "application/json"), "header 'ce_datacontenttype' is not allowed");
        assertRejected(binary(signed).with("content-type", "text/plain"), "not a GuestGuard CloudEvent");
        BinaryMode twice = binary(signed);
        twice.headers().add("ce_guestid", utf8("g2"));
        assertRejected(twice, "binary mode: header 'ce_guestid' appears more than once");
        BinaryMode huge = binary(signed).with("ce_comment", "x".repeat(EventCodec.MAX_RECORD_BYTES));
        assertRejected(huge, "bytes is larger than the " + EventCodec.MAX_RECORD_BYTES);
    }

    @Test
    void aRecordOfAnotherContentTypeWithoutCeHeadersIsNeitherMode() {
        RecordHeaders plain = new RecordHeaders();
        plain.add("content-type", utf8("application/json"));

        assertThatThrownBy(() -> gate.fact("g1", codec.encode(appFailed(), g1), plain, null))
                .isInstanceOf(RejectedRecordException.class)
                .hasMessageContaining("content-type 'application/json' without a ce_specversion header");
    }

    @Test
    void aBinaryRecordKeptAsStructuredModeStillVerifiesWithoutItsHeaders() {
        BinaryMode binary = binary(codec.encode(appFailed(), g1));

        byte[] kept = gate.structured(binary.value(), binary.headers());

        assertThat(gate.fact("g1", kept)).isEqualTo(appFailed());
        byte[] structured = codec.encode(appFailed(), g1);
        assertThat(gate.structured(structured, KafkaBinding.structured())).isSameAs(structured);
    }

    @Test
    void aDeadLetterKeepsTheOriginalsCloudEventsHeadersOnly() {
        BinaryMode binary = binary(codec.encode(appFailed(), g1));
        binary.headers().add("b3", utf8("trace of another system"));

        Headers letter = DeadLetter.headers(binary.headers(), "why", "guestguard.guest-log.v1", 0, 5, "policy-engine");

        assertThat(text(letter, "ce_id")).isEqualTo("f-1");
        assertThat(text(letter, "content-type")).isEqualTo("application/json");
        assertThat(letter.lastHeader("b3")).isNull();
        assertThat(DeadLetter.read(letter).reason()).isEqualTo("why");
        assertThat(codec.decode(binary.value(), letter)).isEqualTo(appFailed());
        assertThat(DeadLetter.headers("why", "t", 0, 5, "s").lastHeader("content-type")).isNull();
    }

    @Test
    void everyConsumerFormTakesBinaryMode() {
        CloudEvent<RestartApp> restart = new CloudEvent<>("c-1", "/policy-engine", AT, "g1", null, null, 3L, new RestartApp("web", 1, 3, 0L, "d-1"));
        BinaryMode command = binary(codec.encode(restart));
        RecordGate unsigned = new RecordGate(codec);

        assertThat(unsigned.guestCommand("g1", command.value(), command.headers()).data()).isEqualTo(new RestartApp("web", 1, 3, 0L, "d-1"));
        assertThat(codec.decode(command.value(), command.headers())).isEqualTo(restart);
        Consumer<BinaryMode> refusedAsFact = b -> assertThatThrownBy(() -> unsigned.fact("g1", b.value(), b.headers(), null))
                .hasMessageContaining("is not a fact");
        refusedAsFact.accept(command);
    }

    private void assertRejected(BinaryMode binary, String reason) {
        assertThatThrownBy(() -> gate.fact("g1", binary.value(), binary.headers(), null))
                .isInstanceOf(RejectedRecordException.class)
                .hasMessageContaining(reason);
    }

    private static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
