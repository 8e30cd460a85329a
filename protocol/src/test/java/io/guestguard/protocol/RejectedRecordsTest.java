package io.guestguard.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A record that is malformed, of an unknown type or fails its schema is rejected with a reason naming the problem. */
class RejectedRecordsTest {

    private final EventCodec codec = new EventCodec();

    @Test
    void malformedJsonIsRejected() {
        assertRejected("{\"specversion\": \"1.0\", ", "malformed JSON");
    }

    @Test
    void nullValueIsRejected() {
        assertThatThrownBy(() -> codec.decode(null))
                .isInstanceOf(RejectedRecordException.class).hasMessageContaining("no value");
    }

    @Test
    void missingCloudEventsAttributeIsRejected() {
        assertRejected("""
                {"specversion":"1.0","source":"/x","type":"io.guestguard.app.started.v1",
                 "time":"2026-11-26T12:00:00Z","data":{"app":"a","pid":1}}""", "not a GuestGuard CloudEvent", "id");
    }

    @Test
    void wrongSpecVersionIsRejected() {
        assertRejected("""
                {"specversion":"0.3","id":"1","source":"/x","type":"io.guestguard.app.started.v1",
                 "time":"2026-11-26T12:00:00Z","data":{"app":"a","pid":1}}""", "specversion");
    }

    @Test
    void unknownTypeIsRejected() {
        assertRejected("""
                {"specversion":"1.0","id":"1","source":"/x","type":"com.example.unknown.v1",
                 "time":"2026-11-26T12:00:00Z","data":{}}""", "unknown type 'com.example.unknown.v1'");
    }

    @Test
    void dataFailingItsSchemaIsRejected() {
        assertRejected("""
                {"specversion":"1.0","id":"1","source":"/x","type":"io.guestguard.app.failed.v1",
                 "time":"2026-11-26T12:00:00Z","data":{"app":"a","pid":-5,"signal":"KILL"}}""",
                "data does not match the schema of io.guestguard.app.failed.v1", "pid");
    }

    @Test
    void failureWithBothExitCodeAndSignalIsRejected() {
        assertRejected("""
                {"specversion":"1.0","id":"1","source":"/x","type":"io.guestguard.app.failed.v1",
                 "time":"2026-11-26T12:00:00Z","data":{"app":"a","pid":5,"signal":"KILL","exitCode":1}}""",
                "io.guestguard.app.failed.v1");
    }

    private void assertRejected(String json, String... reasonParts) {
        assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RejectedRecordException.class)
                .hasMessageContainingAll(reasonParts);
    }
}
