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

    @Test
    void packageWithoutHostsIsRejected() {
        assertDataRejected("io.guestguard.package.applied.v1", """
                {"spec":{"guest":"g1","hosts":[],"failoverPolicy":"CONFIGURED_NODE","failbackPolicy":"MANUAL",
                 "autoRun":true,"waitForFence":true,"applications":[{"name":"app1","kind":"exec","command":"app1",
                 "backoff":{"initialMs":0,"factor":1.0,"maxMs":0}}]}}""", "hosts");
    }

    @Test
    void packageListingAHostTwiceIsRejected() {
        assertDataRejected("io.guestguard.package.applied.v1", """
                {"spec":{"guest":"g1","hosts":["h1","h1"],"failoverPolicy":"CONFIGURED_NODE","failbackPolicy":"MANUAL",
                 "autoRun":true,"waitForFence":true,"applications":[{"name":"app1","kind":"exec","command":"app1",
                 "backoff":{"initialMs":0,"factor":1.0,"maxMs":0}}]}}""", "hosts");
    }

    @Test
    void packageWithUnknownFailoverPolicyIsRejected() {
        assertDataRejected("io.guestguard.package.applied.v1", """
                {"spec":{"guest":"g1","hosts":["h1"],"failoverPolicy":"ROUND_ROBIN","failbackPolicy":"MANUAL",
                 "autoRun":true,"waitForFence":true,"applications":[{"name":"app1","kind":"exec","command":"app1",
                 "backoff":{"initialMs":0,"factor":1.0,"maxMs":0}}]}}""", "failoverPolicy");
    }

    @Test
    void packageWithoutApplicationsIsRejected() {
        assertDataRejected("io.guestguard.package.applied.v1", """
                {"spec":{"guest":"g1","hosts":["h1"],"failoverPolicy":"CONFIGURED_NODE","failbackPolicy":"MANUAL",
                 "autoRun":true,"waitForFence":true,"applications":[]}}""", "applications");
    }

    @Test
    void packageWithShrinkingBackoffIsRejected() {
        assertDataRejected("io.guestguard.package.applied.v1", """
                {"spec":{"guest":"g1","hosts":["h1"],"failoverPolicy":"CONFIGURED_NODE","failbackPolicy":"MANUAL",
                 "autoRun":true,"waitForFence":true,"applications":[{"name":"app1","kind":"exec","command":"app1",
                 "backoff":{"initialMs":1000,"factor":0.5,"maxMs":30000}}]}}""", "factor");
    }

    @Test
    void packageWithoutAutoRunIsRejected() {
        assertDataRejected("io.guestguard.package.applied.v1", """
                {"spec":{"guest":"g1","hosts":["h1"],"failoverPolicy":"CONFIGURED_NODE","failbackPolicy":"MANUAL",
                 "waitForFence":true,"applications":[{"name":"app1","kind":"exec","command":"app1",
                 "backoff":{"initialMs":0,"factor":1.0,"maxMs":0}}]}}""", "autoRun");
    }

    @Test
    void operatorRequestWithUnknownActionIsRejected() {
        assertDataRejected("io.guestguard.operator.request.v1", """
                {"action":"REBOOT","operator":"alice"}""", "action");
    }

    @Test
    void operatorMoveWithoutHostIsRejected() {
        assertDataRejected("io.guestguard.operator.request.v1", """
                {"action":"MOVE","operator":"alice"}""", "host");
    }

    @Test
    void operatorStopAppWithoutAppIsRejected() {
        assertDataRejected("io.guestguard.operator.request.v1", """
                {"action":"STOP_APP","operator":"alice"}""", "app");
    }

    @Test
    void startGuestWithNegativeEpochIsRejected() {
        assertDataRejected("io.guestguard.command.start-guest.v1", """
                {"guest":"g1","host":"h2","epoch":-1,"decisionId":"decision-1"}""", "epoch");
    }

    @Test
    void haltGuestWithoutEpochIsRejected() {
        assertDataRejected("io.guestguard.command.halt-guest.v1", """
                {"guest":"g1","host":"h1","decisionId":"decision-1"}""", "epoch");
    }

    @Test
    void fenceHostWithEmptyLostHostIsRejected() {
        assertDataRejected("io.guestguard.command.fence-host.v1", """
                {"host":"h2","lostHost":"","decisionId":"decision-1"}""", "lostHost");
    }

    @Test
    void guestStartedWithoutHostIsRejected() {
        assertDataRejected("io.guestguard.guest.started.v1", "{}", "host");
    }

    @Test
    void restartWithoutDelayIsRejected() {
        assertDataRejected("io.guestguard.command.restart-app.v1", """
                {"app":"app1","attempt":1,"limit":3,"decisionId":"decision-1"}""", "delayMs");
    }

    @Test
    void decisionWithUnknownActionIsRejected() {
        assertDataRejected("io.guestguard.decision.v1", """
                {"action":"REBOOT","reason":{"code":"X","text":"x"},"causeIds":["c1"],"commandIds":[],
                 "hostLoads":{}}""", "action");
    }

    @Test
    void decisionWithNegativeHostLoadIsRejected() {
        assertDataRejected("io.guestguard.decision.v1", """
                {"action":"FAILOVER","fromHost":"h1","toHost":"h2","epoch":8,"reason":{"code":"HOST_LOST","text":"x"},
                 "causeIds":["c1"],"commandIds":[],"hostLoads":{"h2":-1}}""", "h2");
    }

    @Test
    void decisionWithoutHostLoadsIsRejected() {
        assertDataRejected("io.guestguard.decision.v1", """
                {"action":"NONE","reason":{"code":"X","text":"x"},"causeIds":["c1"],"commandIds":[]}""",
                "hostLoads");
    }

    /** Wraps {@code data} in a valid envelope of {@code type}; the reason must name the type and each part. */
    private void assertDataRejected(String type, String data, String... reasonParts) {
        String json = """
                {"specversion":"1.0","id":"1","source":"/x","type":"%s","time":"2026-11-26T12:00:00Z",
                 "guestid":"g1","data":%s}""".formatted(type, data);
        assertRejected(json, "data does not match the schema of " + type);
        assertRejected(json, reasonParts);
    }

    private void assertRejected(String json, String... reasonParts) {
        assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RejectedRecordException.class)
                .hasMessageContainingAll(reasonParts);
    }
}
