package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RecordGate;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.trust.KeyRing;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Provenance;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A placement's signature is verified once, when it comes from the topic; the view's entries are read
 * back without verifying it again (a restarted engine counts its view without a verification per
 * guest), but with their signer's key checked, so a revoked key's placements are refused. A scan of the
 * view (every host loss, every placement by load) decodes each content once; changed bytes are read
 * again, and every placement once a key is revoked.
 */
class VerifiedPlacementsTest {

    private static final int GUESTS = 300;

    private final EventCodec codec = new EventCodec();
    private final KeyRing ring = new KeyRing();
    private final SigningKey engine = registered(new Principal(Role.ENGINE, "engine-1"));
    private final SigningKey guest = registered(Principal.guest("g1"));
    private final RecordGate gate = new RecordGate(codec, new Provenance(ring));
    private final AtomicInteger checked = new AtomicInteger();
    private final AtomicInteger verifiedSignatures = new AtomicInteger();
    private final VerifiedPlacements verified = new VerifiedPlacements((g, value) -> {
        verifiedSignatures.incrementAndGet();
        return gate.placement(g, value).data();
    }, (g, value) -> {
        checked.incrementAndGet();
        return gate.acceptedPlacement(g, value);
    }, gate::revocations);

    @Test
    void theViewsEntriesAreReadWithoutVerifyingTheirSignaturesAgain() {
        byte[] placed = placement("g1", "h1", 1, engine);
        assertThat(verified.accept("g1", placed).host()).isEqualTo("h1");
        assertThat(verifiedSignatures.get()).isEqualTo(1);

        VerifiedPlacements restarted = new VerifiedPlacements(gate); // what a restarted engine reads its kept view with
        // Signed by another key than the engine's it names: verifying its signature would refuse it.
        byte[] tampered = Impostor.asKeyOf(engine, placement("g2", "h1", 1, SigningKey.generate(engine.principal())), codec);
        assertThatThrownBy(() -> restarted.accept("g2", tampered)).isInstanceOf(RejectedRecordException.class);
        assertThat(restarted.read("g2", tampered).host())
                .as("an entry of the view is what the updater accepted: only its key is checked").isEqualTo("h1");
        assertThat(restarted.read("g1", placed).host()).isEqualTo("h1");
        assertThatThrownBy(() -> restarted.read("g3", placement("g3", "h1", 1, null)))
                .isInstanceOf(RejectedRecordException.class).hasMessageStartingWith("unsigned");
    }

    /** Not a timing assertion: prints what a restarted engine pays per guest to count the view it kept. */
    @Test
    void aRestartedEngineCountsItsKeptViewWithoutVerifyingEachSignature() {
        Map<String, byte[]> view = new java.util.TreeMap<>();
        for (int i = 0; i < GUESTS; i++) {
            view.put("g" + i, placement("g" + i, "h1", 1, engine));
        }
        long verifying = 0;
        long reading = 0;
        for (int round = 0; round < 3; round++) { // the last round is measured, the first two warm the JIT up
            VerifiedPlacements before = new VerifiedPlacements(gate);
            VerifiedPlacements after = new VerifiedPlacements(gate);
            long t0 = System.nanoTime();
            view.forEach(before::accept);
            long t1 = System.nanoTime();
            view.forEach(after::read);
            long t2 = System.nanoTime();
            verifying = t1 - t0;
            reading = t2 - t1;
        }
        view.forEach((g, value) -> assertThat(new VerifiedPlacements(gate).read(g, value).host()).isEqualTo("h1"));
        System.out.printf("VerifiedPlacementsTest: a restarted engine counting %d kept placements: %.3f ms per placement "
                + "read (its key checked), %.3f ms per placement verifying each signature again%n", GUESTS,
                reading / 1e6 / GUESTS, verifying / 1e6 / GUESTS);
    }

    @Test
    void aScanChecksEachSignatureOnceAndChangedBytesAgain() {
        Map<String, byte[]> view = new java.util.TreeMap<>();
        for (int epoch = 1; epoch <= 2; epoch++) { // the first round warms the JIT up: the second is what a scan costs
            for (int i = 0; i < GUESTS; i++) {
                view.put("g" + i, placement("g" + i, "h1", epoch, engine));
            }
        }
        scan(view);
        for (int i = 0; i < GUESTS; i++) {
            view.put("g" + i, placement("g" + i, "h1", 3, engine));
        }
        long checking = scan(view);
        assertThat(checked.get()).isEqualTo(2 * GUESTS);
        long cached = scan(view);
        assertThat(checked.get()).as("nothing checked again").isEqualTo(2 * GUESTS);
        System.out.printf("VerifiedPlacementsTest: a scan of %d signed placements: %.1f ms checking each (%.3f ms per "
                + "placement), %.1f ms when verified already (%.4f ms per placement)%n", GUESTS, checking / 1e6,
                checking / 1e6 / GUESTS, cached / 1e6, cached / 1e6 / GUESTS);

        view.put("g7", placement("g7", "h2", 2, engine));
        assertThat(verified.read("g7", view.get("g7")).host()).isEqualTo("h2");
        assertThat(verifiedSignatures.get()).as("a view's entries are not verified again").isZero();
        assertThat(checked.get()).as("new bytes are checked").isEqualTo(2 * GUESTS + 1);
    }

    @Test
    void aForgedPlacementReplacingAVerifiedOneIsRefused() {
        assertThat(verified.accept("g1", placement("g1", "h1", 1, engine)).host()).isEqualTo("h1");

        assertThatThrownBy(() -> verified.accept("g1", placement("g1", "h9", 2, guest)))
                .isInstanceOf(RejectedRecordException.class).hasMessage("not authorized: guest g1 may not emit placement");
        assertThatThrownBy(() -> verified.accept("g1", placement("g1", "h9", 2, null)))
                .isInstanceOf(RejectedRecordException.class).hasMessageStartingWith("unsigned");
    }

    @Test
    void aPlacementAcceptedBeforeItsKeysRevocationIsRefusedAfterIt() {
        byte[] placed = placement("g1", "h1", 1, engine);
        assertThat(verified.accept("g1", placed).host()).isEqualTo("h1");
        assertThat(verified.read("g1", placed).host()).isEqualTo("h1");

        ring.revoke(engine.keyId(), Instant.now());

        assertThatThrownBy(() -> verified.read("g1", placed)).isInstanceOf(RejectedRecordException.class)
                .hasMessageStartingWith("revoked key " + engine.keyId());
    }

    private long scan(Map<String, byte[]> view) {
        long start = System.nanoTime();
        view.forEach(verified::read);
        return System.nanoTime() - start;
    }

    private byte[] placement(String g, String host, long epoch, SigningKey signer) {
        CloudEvent<GuestPlacement> event = new CloudEvent<>("placement-" + g + "-" + epoch, "/policy-engine", Instant.now(), g,
                null, host, epoch, new GuestPlacement(host, epoch, PlacementPhase.RUNNING, Map.of()));
        return signer == null ? codec.encode(event) : codec.encode(event, signer);
    }

    private SigningKey registered(Principal principal) {
        SigningKey key = SigningKey.generate(principal);
        ring.register(key, Instant.now());
        return key;
    }
}
