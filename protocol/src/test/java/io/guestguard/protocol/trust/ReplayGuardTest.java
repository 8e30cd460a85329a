package io.guestguard.protocol.trust;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.trust.ReplayGuard.Origin;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Genuine records written again are refused; the same record read again is not. */
class ReplayGuardTest {

    private static final Instant AT = Instant.parse("2026-12-06T08:00:00Z");
    private static final String LOG = "guestguard.guest-log.v1";

    private final EventCodec codec = new EventCodec();
    private final KeyRing ring = new KeyRing();
    private final SigningKey g1 = SigningKey.generate(Principal.guest("g1"));
    private final SigningKey primary = SigningKey.generate(Principal.host("primary"));
    private final RecordGate gate;

    ReplayGuardTest() {
        ring.register(g1, AT);
        ring.register(primary, AT);
        gate = new RecordGate(codec, new Provenance(ring), new ReplayGuard(Duration.ofMinutes(5), 1000));
    }

    @Test
    void aCopyAtAnotherPlaceIsRefusedTheSameRecordReadAgainIsNot() {
        byte[] genuine = codec.encode(failure(AT), g1);
        gate.fact("g1", genuine, at(7, AT));
        gate.fact("g1", genuine, at(7, AT)); // re-read after a restart or an aborted transaction

        assertThatThrownBy(() -> gate.fact("g1", genuine, at(42, AT.plusSeconds(30))))
                .isInstanceOf(RejectedRecordException.class)
                .hasMessage("replayed: event f-1 of guest g1 was read before at " + LOG + "-0@7"
                        + " (a copy, or a resend of a record already delivered)");
    }

    @Test
    void aHostsEventSignedLongBeforeKafkaStampedItIsRefusedAGuestsIsNot() {
        CloudEvent<GuestStarted> started = new CloudEvent<>("s-1", "/host/primary/supervisor", AT, "g1", null, "primary", 3L,
                new GuestStarted("primary"));
        byte[] old = codec.encode(started, primary);

        assertThatThrownBy(() -> gate.fact("g1", old, at(9, AT.plus(Duration.ofMinutes(6)))))
                .isInstanceOf(RejectedRecordException.class)
                .hasMessageStartingWith("replayed: host primary signed event s-1 at " + AT + ", more than 5 min before Kafka stamped");
        assertThat(gate.fact("g1", codec.encode(started, primary), at(10, AT.plus(Duration.ofMinutes(4))))).isNotNull();

        // A guest's clock is the tenant's, and its facts may wait in the outbox: its sequence number guards it instead.
        assertThat(gate.fact("g1", codec.encode(failure(AT).withGuestSeq(5), g1), at(11, AT.plus(Duration.ofHours(2))))).isNotNull();
    }

    @Test
    void idsAreRememberedForTheWindowOnly() {
        ReplayGuard guard = new ReplayGuard(Duration.ofMinutes(5), 1000);
        CloudEvent<AppFailed> event = failure(AT);
        guard.check(Principal.guest("g1"), event, at(1, AT));
        CloudEvent<AppFailed> later = new CloudEvent<>("f-2", "/guest/g1/reporter", AT, "g1", 2L, null, null, event.data());
        guard.check(Principal.guest("g1"), later, at(2, AT.plus(Duration.ofMinutes(6))));

        // Forgotten past the window: for a guest, the sequence number is what is left to refuse it.
        guard.check(Principal.guest("g1"), event, at(3, AT.plus(Duration.ofMinutes(7))));
    }

    private static CloudEvent<AppFailed> failure(Instant time) {
        return new CloudEvent<>("f-1", "/guest/g1/reporter", time, "g1", null, null, null,
                new AppFailed("app1", 41L, null, "SIGKILL", null, null));
    }

    private static Origin at(long offset, Instant stamped) {
        return new Origin(LOG, 0, offset, stamped);
    }
}
