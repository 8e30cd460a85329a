package io.guestguard.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What an attacker with a plain Kafka client writes is rejected with a reason, never thrown past
 * the codec as anything else: malformed times (one such heartbeat once stopped the engine, the
 * watcher and both supervisors), ids and names that would become paths or log lines, absurd
 * numbers, oversized and deeply nested records, duplicate keys, bad UTF-8.
 */
class HostileAttributesTest {

    private final EventCodec codec = new EventCodec();

    private static String beat(String attributes) {
        return """
                {"specversion":"1.0","id":"b1","source":"/guest/g1/reporter","type":"io.guestguard.heartbeat.v1",
                 %s"data":{"role":"guest","id":"g1","guests":[]}}""".formatted(attributes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-time", "2026-12-06", "2026-12-06T10:15:30", "2026-13-06T10:15:30Z",
            "+1000000000-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "10000-01-01T00:00:00Z",
            "2026-12-06 10:15:30Z"})
    void aTimeThatIsNotAnRfc3339InstantWithinRangeIsRejected(String time) {
        assertRejected(beat("\"time\":\"" + time + "\","), "time");
    }

    @Test
    void anRfc3339TimeWithAnOffsetIsRead() {
        CloudEvent<?> event = decode(beat("\"time\":\"2026-12-06T11:15:30.5+01:00\","));

        assertThat(event.time()).isEqualTo("2026-12-06T10:15:30.500Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "../etc", "a..b", "line\\nbreak", "-rf", ".hidden", "", "g 1", "/abs"})
    void aGuestIdThatIsNotANameIsRejected(String guest) {
        assertRejected("""
                {"specversion":"1.0","id":"f1","source":"/x","type":"io.guestguard.app.started.v1",
                 "time":"2026-12-06T10:00:00Z","guestid":"%s","data":{"app":"app1","pid":5}}""".formatted(guest), "guestid");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "x..y", "new\\nline", "", "über"})
    void anEventIdBreakingTheIdRuleIsRejected(String id) {
        assertRejected("""
                {"specversion":"1.0","id":"%s","source":"/x","type":"io.guestguard.app.started.v1",
                 "time":"2026-12-06T10:00:00Z","guestid":"g1","data":{"app":"app1","pid":5}}""".formatted(id), "id");
    }

    @Test
    void aHostNameThatWouldClimbOutOfADirectoryIsRejectedInData() {
        assertRejected("""
                {"specversion":"1.0","id":"c1","source":"/x","type":"io.guestguard.command.fence-host.v1",
                 "time":"2026-12-06T10:00:00Z","guestid":"g1","data":{"host":"h2","lostHost":"../guests","decisionId":"d1"}}""",
                "lostHost");
    }

    @Test
    void aSequenceNumberBeyondWhatJsonHoldsExactlyIsRejected() {
        assertRejected("""
                {"specversion":"1.0","id":"f1","source":"/x","type":"io.guestguard.app.started.v1","guestseq":9223372036854775807,
                 "time":"2026-12-06T10:00:00Z","guestid":"g1","data":{"app":"app1","pid":5}}""", "guestseq");
    }

    @Test
    void aNumberTooLongToParseIsRejected() {
        assertRejected("""
                {"specversion":"1.0","id":"f1","source":"/x","type":"io.guestguard.app.started.v1","epoch":%s,
                 "time":"2026-12-06T10:00:00Z","guestid":"g1","data":{"app":"app1","pid":5}}""".formatted("9".repeat(400)),
                "Number value length");
    }

    @Test
    void aRecordLargerThanTheLimitIsRejectedBeforeParsing() {
        byte[] huge = beat("\"time\":\"2026-12-06T10:00:00Z\",\"pad\":\"" + "x".repeat(EventCodec.MAX_RECORD_BYTES) + "\",")
                .getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> codec.decode(huge)).isInstanceOf(RejectedRecordException.class)
                .hasMessageContaining("larger than the " + EventCodec.MAX_RECORD_BYTES);
    }

    @Test
    void aNestingBombIsRejected() {
        String bomb = "[".repeat(5000) + "]".repeat(5000);
        assertRejected(beat("\"time\":\"2026-12-06T10:00:00Z\",\"x\":" + bomb + ","), "nesting");
    }

    @Test
    void aDuplicateAttributeIsRejected() {
        assertRejected(beat("\"time\":\"2026-12-06T10:00:00Z\",\"type\":\"io.guestguard.host.lost.v1\","), "Duplicate");
    }

    @Test
    void badUtf8IsRejected() {
        byte[] bytes = beat("\"time\":\"2026-12-06T10:00:00Z\",\"x\":\"\u0000\",").getBytes(StandardCharsets.UTF_8);
        bytes[bytes.length - 60] = (byte) 0xC3; // a lead byte followed by ASCII
        bytes[bytes.length - 59] = (byte) 0x28;

        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(RejectedRecordException.class);
    }

    @Test
    void aReasonWithControlCharactersBecomesOneLine() {
        assertThatThrownBy(() -> codec.decode(beat("\"time\":\"bad\\ntime\",").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RejectedRecordException.class)
                .satisfies(e -> assertThat(((RejectedRecordException) e).reason()).doesNotContain("\n"));
    }

    @Test
    void freeTextWithAControlCharacterIsRejectedButWritersCleanTheirOwn() {
        assertRejected("""
                {"specversion":"1.0","id":"f1","source":"/host/h1/supervisor","type":"io.guestguard.guest.start-failed.v1",
                 "time":"2026-12-06T10:00:00Z","guestid":"g1","hostid":"h1","data":{"host":"h1","reason":"a\\nb"}}""",
                "reason");

        String clean = FreeText.clean("libvirt: error\nsecond line\u0007");

        assertThat(clean).isEqualTo("libvirt: error second line ");
    }

    private CloudEvent<?> decode(String json) {
        return codec.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private void assertRejected(String json, String... reasonParts) {
        assertThatThrownBy(() -> decode(json))
                .isInstanceOf(RejectedRecordException.class)
                .hasMessageContainingAll(reasonParts);
    }
}
