package io.guestguard.protocol.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.EventType;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.Payload;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Traceparent;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Signed provenance end to end on the wire form: what a genuine signer writes is read back with its
 * principal; anything unsigned, forged, altered, signed by an unknown or revoked key, or beyond what
 * its signer may say is rejected with the reason its dead letter carries.
 */
class ProvenanceTest {

    private static final Instant AT = Instant.parse("2026-12-06T08:00:00.123Z");

    private final EventCodec codec = new EventCodec();
    private final KeyRing ring = new KeyRing();
    private final RecordGate gate = new RecordGate(codec, new Provenance(ring));
    private final SigningKey g1 = registered(Principal.guest("g1"));
    private final SigningKey g3 = registered(Principal.guest("g3"));
    private final SigningKey primary = registered(Principal.host("primary"));
    private final SigningKey standby = registered(Principal.host("standby"));
    private final SigningKey detector = registered(new Principal(Role.DETECTOR, "engine-1"));
    private final SigningKey alice = registered(new Principal(Role.OPERATOR, "alice"));

    private SigningKey registered(Principal principal) {
        SigningKey key = SigningKey.generate(principal);
        ring.register(key, AT);
        return key;
    }

    @Test
    void aGenuineRecordIsReadWithItsSigner() {
        byte[] record = codec.encode(appFailed("g1").withGuestSeq(7), g1);

        CloudEvent<? extends Fact> read = gate.fact("g1", record);

        assertThat(read).isEqualTo(appFailed("g1").withGuestSeq(7));
        assertThat(new Provenance(ring).check(codec.read(record).json(), read)).isEqualTo(Principal.guest("g1"));
        JsonNode json = codec.read(record).json();
        assertThat(json.get(Verifiability.SIGNED_EXTENSIONS).asText()).isEqualTo("guestid,guestseq");
    }

    @Test
    void theAttackAtTheTopOfTheIssueIsRefusedWhoeverSignsIt() {
        CloudEvent<HostLost> lost = event("g3", null, new HostLost("primary"));

        assertRejected(() -> gate.fact("g3", codec.encode(lost)), "unsigned: the event has no dssematerial");
        assertRejected(() -> gate.fact("g3", codec.encode(lost, g3)), "not authorized: guest g3 may not emit host.lost");
        assertRejected(() -> gate.fact("g3", codec.encode(lost, primary)), "not authorized: host primary may not emit host.lost");
        SigningKey stranger = SigningKey.generate(new Principal(Role.DETECTOR, "engine-1"));
        assertRejected(() -> gate.fact("g3", codec.encode(lost, stranger)), "unknown key " + stranger.keyId());

        assertThat(gate.fact("g3", codec.encode(lost, detector)).data()).isEqualTo(new HostLost("primary"));
    }

    @Test
    void aKeySpeaksOnlyForItsOwnSubject() {
        assertRejected(() -> gate.fact("g3", codec.encode(appFailed("g3"), g1)), "not authorized: guest g1 may not speak for guest g3");
        assertRejected(() -> gate.fact("g1", codec.encode(event("g1", "primary", new GuestStarted("primary")), standby)),
                "not authorized: host standby may not speak for host primary");
        assertRejected(() -> gate.fact("g1", codec.encode(event("g1", null, new GuestStarted("primary")), primary)),
                "not authorized: host primary may not emit a fact without naming itself (hostid)");
        assertRejected(() -> gate.fact("g1", codec.encode(event("g1", "primary", appFailed("g1").data()), g1)),
                "not authorized: guest g1 may not name a host or a placement epoch");
        assertRejected(() -> gate.heartbeat("g1", codec.encode(event("g1", null, new Heartbeat("guest", "g1", List.of())), primary)),
                "not authorized: host primary may not beat as a guest");
        assertRejected(() -> gate.fact("g1", codec.encode(event("g1", null, new OperatorRequest(OperatorRequest.Action.HALT, null, "mallory")), primary)),
                "not authorized: host primary may not emit operator.request");

        assertThat(gate.fact("g1", codec.encode(event("g1", null, new OperatorRequest(OperatorRequest.Action.HALT, null, "alice")), alice))
                .data()).isInstanceOf(OperatorRequest.class);
        assertThat(gate.fact("g1", codec.encode(event("g1", "primary", new GuestStarted("primary")), primary)).hostId()).isEqualTo("primary");
    }

    @Test
    void anOperatorAsksOnlyInItsOwnName() {
        OperatorRequest asBob = new OperatorRequest(OperatorRequest.Action.HALT, null, "bob");
        assertRejected(() -> gate.fact("g1", codec.encode(event("g1", null, asBob), alice)),
                "not authorized: operator alice may not ask in the name of operator bob");
        assertThat(gate.fact("g1", codec.encode(event("g1", null, new OperatorRequest(OperatorRequest.Action.HALT, null, "alice")),
                alice)).data()).isInstanceOf(OperatorRequest.class);
    }

    @Test
    void onlyAHostSaysItLeavesAndOnlyForItself() {
        CloudEvent<HostLeaving> leaving = event(null, "primary", new HostLeaving("primary"));

        assertThat(gate.hostHeartbeat("primary", codec.encode(leaving, primary)).data()).isEqualTo(new HostLeaving("primary"));
        assertRejected(() -> gate.hostHeartbeat("primary", codec.encode(leaving, standby)),
                "not authorized: host standby may not speak for host primary");
        assertRejected(() -> gate.hostHeartbeat("primary", codec.encode(leaving, g1)), "not authorized: guest g1 may not emit host.leaving");
        assertRejected(() -> gate.hostHeartbeat("primary", codec.encode(leaving, detector)),
                "not authorized: host-loss detector engine-1 may not emit host.leaving");
        assertRejected(() -> gate.hostHeartbeat("primary", codec.encode(leaving)), "unsigned: the event has no dssematerial");
    }

    @Test
    void aHostReportsOnlyAboutGuestsItMayHold() {
        CloudEvent<? extends Fact> halted = gate.fact("g1", codec.encode(event("g1", "standby", new GuestHalted("standby")), standby));
        Provenance provenance = new Provenance(ring);
        RecordGate checking = new RecordGate(codec, provenance);

        assertRejected(() -> checking.requireHostOfGuest(halted, () -> Set.of("primary", "spare")),
                "not authorized: host standby may not speak for guest g1 (its hosts: primary, spare)");
        assertThat(provenance.refusals()).containsEntry(Provenance.Refusal.NOT_AUTHORIZED, 1L);
        checking.requireHostOfGuest(halted, () -> Set.of("primary", "standby"));
        checking.requireHostOfGuest(halted, Set::of); // a guest nothing is known of: any host may find it running
        // A detector's word about a host is no host's report; without signatures nothing is checked.
        checking.requireHostOfGuest(gate.fact("g1", codec.encode(event("g1", null, new HostLost("standby")), detector)),
                () -> Set.of("primary"));
        new RecordGate(codec).requireHostOfGuest(halted, () -> Set.of("primary"));
        assertThat(provenance.refusals()).containsEntry(Provenance.Refusal.NOT_AUTHORIZED, 1L);
    }

    @Test
    void anAlteredRecordIsRefused() {
        ObjectNode json = (ObjectNode) codec.read(codec.encode(appFailed("g1").withGuestSeq(7), g1)).json();

        ObjectNode otherData = json.deepCopy();
        ((ObjectNode) otherData.get("data")).put("pid", 42);
        assertRejected(() -> gate.fact("g1", bytes(otherData)), "bad signature: the event is not the one that was signed");

        ObjectNode otherSeq = json.deepCopy();
        otherSeq.put("guestseq", 8);
        assertRejected(() -> gate.fact("g1", bytes(otherSeq)), "bad signature: the event is not the one that was signed");

        ObjectNode otherTime = json.deepCopy();
        otherTime.put("time", "2026-12-06T08:00:01.123Z");
        assertRejected(() -> gate.fact("g1", bytes(otherTime)), "bad signature: the event is not the one that was signed");

        ObjectNode sequenceStripped = json.deepCopy();
        sequenceStripped.remove("guestseq");
        sequenceStripped.put(Verifiability.SIGNED_EXTENSIONS, "guestid");
        assertRejected(() -> gate.fact("g1", bytes(sequenceStripped)), "bad signature: the event is not the one that was signed");

        ObjectNode listShortened = json.deepCopy();
        listShortened.put(Verifiability.SIGNED_EXTENSIONS, "guestid");
        assertRejected(() -> gate.fact("g1", bytes(listShortened)),
                "bad signature: signedextattrs must list the extensions the event carries (guestid,guestseq), not 'guestid'");

        ObjectNode garbage = json.deepCopy();
        garbage.put(Verifiability.MATERIAL, "bm90IGEgZW52ZWxvcGU=");
        assertRejected(() -> gate.fact("g1", bytes(garbage)), "bad signature: dssematerial is not a Base64 DSSE JSON envelope");
    }

    @Test
    void aTraceIsSignedSoItCannotBeAlteredAddedOrStripped() {
        Traceparent trace = Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        ObjectNode json = (ObjectNode) codec.read(codec.encode(appFailed("g1").withTraceparent(trace), g1)).json();
        assertThat(json.get(Verifiability.SIGNED_EXTENSIONS).asText()).isEqualTo("guestid,traceparent");
        assertThat(gate.fact("g1", bytes(json)).traceparent()).isEqualTo(trace);

        ObjectNode otherTrace = json.deepCopy();
        otherTrace.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b7-01");
        assertRejected(() -> gate.fact("g1", bytes(otherTrace)), "bad signature: the event is not the one that was signed");

        ObjectNode otherSpan = json.deepCopy();
        otherSpan.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b8-01");
        assertRejected(() -> gate.fact("g1", bytes(otherSpan)), "bad signature: the event is not the one that was signed");

        ObjectNode stripped = json.deepCopy();
        stripped.remove("traceparent");
        assertRejected(() -> gate.fact("g1", bytes(stripped)),
                "bad signature: signedextattrs must list the extensions the event carries (guestid), not 'guestid,traceparent'");

        ObjectNode added = (ObjectNode) codec.read(codec.encode(appFailed("g1"), g1)).json();
        added.put("traceparent", trace.toString());
        assertRejected(() -> gate.fact("g1", bytes(added)),
                "bad signature: signedextattrs must list the extensions the event carries (guestid,traceparent), not 'guestid'");
    }

    @Test
    void aRecordSignedBeforeTracesExistedStillVerifies() throws Exception {
        // Written by the release before traces (6df976f) with the fixture key jdk-guest-g1: a test key, trusted nowhere.
        SigningKey written = KeyFile.readPrivate(Path.of(getClass().getResource("/trust/jdk-key-files/jdk-guest-g1.key").toURI()));
        KeyRing before = new KeyRing();
        before.register(written, AT);
        byte[] record;
        try (InputStream in = getClass().getResourceAsStream("/trust/signed-before-traces.json")) {
            record = in.readAllBytes();
        }

        CloudEvent<? extends Fact> read = new RecordGate(codec, new Provenance(before)).fact("g1", record);

        assertThat(read.traceparent()).isNull();
        assertThat(read.guestSeq()).isEqualTo(7L);
        assertThat(codec.encode(read, written)).isEqualTo(record); // signing is deterministic: this release writes the same bytes
    }

    @Test
    void aSignatureMadeWithAnotherKeyUnderARegisteredKeyIdIsRefused() {
        SigningKey impostor = new SigningKey(Principal.guest("g1"), SigningKey.generate(Principal.guest("x")).privateKey(),
                g1.publicKey()); // claims g1's key id, signs with its own private key
        assertRejected(() -> gate.fact("g1", codec.encode(appFailed("g1"), impostor)),
                "bad signature: not made by key " + g1.keyId() + " of guest g1");
    }

    @Test
    void aRevokedKeyIsRefusedFromItsRevocationOnAndCannotBeRegisteredAgain() {
        byte[] record = codec.encode(appFailed("g1"), g1);
        assertThat(gate.fact("g1", record)).isNotNull();

        assertThat(ring.revoke(g1.keyId(), AT.plusSeconds(60))).isTrue();
        ring.register(g1, AT.plusSeconds(120));

        assertRejected(() -> gate.fact("g1", record), "revoked key " + g1.keyId() + " of guest g1 (revoked at " + AT.plusSeconds(60) + ")");
    }

    @Test
    void aRecordReserializedByAnIntermediaryStaysVerifiable() throws Exception {
        JsonNode json = codec.read(codec.encode(event("g1", "primary", new GuestStarted("primary")).withGuestSeq(3), primary)).json();
        // Members in another order, spaces and an offset time zone: what a pipeline might write.
        StringBuilder reordered = new StringBuilder("{ ");
        List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        java.util.Collections.reverse(names);
        for (String name : names) {
            JsonNode value = name.equals("time") ? codec.mapper().getNodeFactory().textNode("2026-12-06T09:00:00.123+01:00")
                    : json.get(name);
            reordered.append('"').append(name).append("\" : ").append(codec.mapper().writeValueAsString(value)).append(" , ");
        }
        String text = reordered.substring(0, reordered.length() - 3) + " }";

        assertThat(gate.fact("g1", text.getBytes(StandardCharsets.UTF_8)).time()).isEqualTo(AT.plusSeconds(0));
    }

    @Test
    void everyTypeHasItsEmittersAndOnlyTheDesignatedOnes() {
        assertThat(Arrays.stream(EventType.values()).filter(t -> Authorization.emitters(t).isEmpty())).isEmpty();
        assertThat(Authorization.emitters(EventType.HOST_LOST)).containsExactly(Role.DETECTOR);
        assertThat(Authorization.emitters(EventType.CONTACT_LOST)).containsExactly(Role.WATCHER);
        assertThat(Authorization.emitters(EventType.REBIND)).containsExactly(Role.WATCHER);
        assertThat(Authorization.emitters(EventType.FENCE_HOST)).containsExactly(Role.ENGINE);
        assertThat(Authorization.emitters(EventType.PLACEMENT)).containsExactly(Role.ENGINE);
        assertThat(Authorization.emitters(EventType.OPERATOR_REQUEST)).containsExactly(Role.OPERATOR);
        assertThat(Authorization.emitters(EventType.PACKAGE_APPLIED)).containsExactly(Role.OPERATOR);
        assertThat(Authorization.emitters(EventType.HOST_FENCED)).containsExactly(Role.HOST);
        assertThat(Authorization.emitters(EventType.HEARTBEAT)).containsExactlyInAnyOrder(Role.GUEST, Role.HOST);
        assertThat(Authorization.emitters(EventType.HOST_LEAVING)).containsExactly(Role.HOST);
        assertThat(Authorization.hostReport(EventType.HOST_LEAVING)).as("about the host, not a guest").isFalse();
    }

    private static CloudEvent<AppFailed> appFailed(String guest) {
        return event(guest, null, new AppFailed("app1", 41L, null, "SIGKILL", null, null));
    }

    private static <D extends Payload> CloudEvent<D> event(String guest, String host, D data) {
        return new CloudEvent<>("e-" + guest + "-" + data.getClass().getSimpleName(), "/test", AT, guest, null, host,
                host == null ? null : 4L, data);
    }

    private byte[] bytes(JsonNode json) {
        try {
            return codec.mapper().writeValueAsBytes(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertRejected(Runnable read, String reason) {
        assertThatThrownBy(read::run).isInstanceOf(RejectedRecordException.class).hasMessage(reason);
    }
}
