package io.guestguard.protocol;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each topic's consumer gets only what that topic carries, under the key it must have. */
class RecordGateTest {

    private final EventCodec codec = new EventCodec();
    private final RecordGate gate = new RecordGate(codec);
    private final Instant now = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void aFactKeyedByItsGuestPasses() {
        byte[] fact = codec.encode(CloudEvent.ofGuest("f1", "/x", now, "g1", new HostLost("h1")));

        assertThat(gate.fact("g1", fact).data()).isEqualTo(new HostLost("h1"));
        assertRejected(() -> gate.fact("g3", fact), "record key 'g3' does not match guestid 'g1'");
        assertRejected(() -> gate.fact(null, fact), "record key (none)");
    }

    @Test
    void aTopicRefusesWhatItDoesNotCarry() {
        byte[] beat = codec.encode(CloudEvent.ofGuest("b1", "/x", now, "g1", new Heartbeat("guest", "g1", List.of())));
        byte[] placement = codec.encode(new CloudEvent<>("p1", "/x", now, "g1", null, "h1", 1L,
                new GuestPlacement("h1", 1, PlacementPhase.RUNNING, Map.of())));

        assertRejected(() -> gate.fact("g1", beat), "not a fact");
        assertRejected(() -> gate.heartbeat("g1", placement), "not a heartbeat");
        assertRejected(() -> gate.placement("g1", beat), "not a placement");
        assertRejected(() -> gate.decision("g1", beat), "not a decision");
        assertRejected(() -> gate.guestCommand("g1", beat), "not a guest command");
        assertRejected(() -> gate.hostCommand("g1", beat), "not a host command");
    }

    @Test
    void aBeatMustBeKeyedByWhoBeatsAndNameOnlyThem() {
        byte[] hostBeat = codec.encode(new CloudEvent<>("b1", "/host/h1/supervisor", now, null, null, "h1", null,
                new Heartbeat("host", "h1", List.of("g1"))));
        byte[] mismatched = codec.encode(new CloudEvent<>("b2", "/host/h1/supervisor", now, null, null, "h2", null,
                new Heartbeat("host", "h1", List.of())));

        assertThat(gate.heartbeat("h1", hostBeat).data().guests()).containsExactly("g1");
        assertRejected(() -> gate.heartbeat("h2", hostBeat), "does not match data.id");
        assertRejected(() -> gate.heartbeat("h1", mismatched), "names hostid h2");
    }

    @Test
    void theHostsTopicCarriesHostBeatsAndTicksKeyedByTheirPartition() {
        byte[] hostBeat = codec.encode(new CloudEvent<>("b1", "/host/h1/supervisor", now, null, null, "h1", null,
                new Heartbeat("host", "h1", List.of("g1"))));
        byte[] guestBeat = codec.encode(CloudEvent.ofGuest("b2", "/x", now, "g1", new Heartbeat("guest", "g1", List.of())));
        byte[] tick = codec.encode(new CloudEvent<>("t1", "/policy-engine/host-detector", now, null, null, null, null,
                new DetectorTick(2)));
        byte[] fact = codec.encode(CloudEvent.ofGuest("f1", "/x", now, "g1", new HostLost("h1")));

        assertThat(gate.hostHeartbeat("h1", hostBeat).data()).isEqualTo(new Heartbeat("host", "h1", List.of("g1")));
        assertThat(gate.hostHeartbeat("tick-2", tick).data()).isEqualTo(new DetectorTick(2));
        assertRejected(() -> gate.hostHeartbeat("tick-1", tick), "record key 'tick-1' does not match");
        assertRejected(() -> gate.hostHeartbeat("h2", hostBeat), "does not match data.id");
        assertRejected(() -> gate.hostHeartbeat("g1", guestBeat), "guests beat on heartbeats.v1");
        assertRejected(() -> gate.hostHeartbeat("g1", fact), "not a heartbeat");
        assertRejected(() -> gate.heartbeat("tick-2", tick), "not a heartbeat");
        byte[] leaving = codec.encode(new CloudEvent<>("l1", "/host/h1/supervisor", now, null, null, "h1", null, new HostLeaving("h1")));
        assertThat(gate.hostHeartbeat("h1", leaving).data()).isEqualTo(new HostLeaving("h1"));
        assertRejected(() -> gate.hostHeartbeat("h2", leaving), "record key 'h2' does not match data.host 'h1'");
        assertRejected(() -> gate.hostHeartbeat("h2", codec.encode(new CloudEvent<>("l2", "/host/h1/supervisor", now, null, null, "h1",
                null, new HostLeaving("h2")))), "host h2 leaving names hostid h1");
        assertRejected(() -> gate.heartbeat("h1", leaving), "not a heartbeat");
        assertThat(DetectorTick.partitionOf("tick-17")).isEqualTo(17);
        assertThatThrownBy(() -> DetectorTick.partitionOf("h1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DetectorTick.partitionOf("tick--1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHostCommandIsKeyedByItsHostAndNamesOneGuest() {
        byte[] start = codec.encode(new CloudEvent<>("c1", "/policy-engine", now, "g1", null, "h2", 2L,
                new StartGuest("g1", "h2", 2, "d1")));
        byte[] crossed = codec.encode(new CloudEvent<>("c2", "/policy-engine", now, "g2", null, "h2", 2L,
                new StartGuest("g1", "h2", 2, "d1")));
        byte[] fenceForNobody = codec.encode(new CloudEvent<>("c3", "/policy-engine", now, null, null, "h2", 2L,
                new FenceHost("h2", "h1", "d1")));

        assertThat(gate.hostCommand("h2", start).data()).isInstanceOf(StartGuest.class);
        assertRejected(() -> gate.hostCommand("h1", start), "does not match data.host");
        assertRejected(() -> gate.hostCommand("h2", crossed), "about guest g1 but its guestid is g2");
        assertRejected(() -> gate.hostCommand("h2", fenceForNobody), "must name the guest");
    }

    @Test
    void garbageIsRejectedByEveryMethod() {
        byte[] garbage = "garbage".getBytes();

        assertRejected(() -> gate.fact("g1", garbage), "malformed JSON");
        assertRejected(() -> gate.placement("g1", garbage), "malformed JSON");
        assertRejected(() -> gate.heartbeat("g1", null), "no value");
        assertRejected(() -> gate.hostHeartbeat("h1", garbage), "malformed JSON");
    }

    private static void assertRejected(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String reason) {
        assertThatThrownBy(call).isInstanceOf(RejectedRecordException.class).hasMessageContaining(reason);
    }
}
