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
 * A placement's signature is checked once per content: a scan of the placements view (every host
 * loss, every placement by load) does not check N signatures again; changed bytes are checked again,
 * and every placement once a key is revoked.
 */
class VerifiedPlacementsTest {

    private static final int GUESTS = 300;

    private final EventCodec codec = new EventCodec();
    private final KeyRing ring = new KeyRing();
    private final SigningKey engine = registered(new Principal(Role.ENGINE, "engine-1"));
    private final SigningKey guest = registered(Principal.guest("g1"));
    private final RecordGate gate = new RecordGate(codec, new Provenance(ring));
    private final AtomicInteger checked = new AtomicInteger();
    private final VerifiedPlacements verified = new VerifiedPlacements((g, value) -> {
        checked.incrementAndGet();
        return gate.placement(g, value).data();
    }, gate::revocations);

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
        assertThat(checked.get()).as("new bytes are checked").isEqualTo(2 * GUESTS + 1);
    }

    @Test
    void aForgedPlacementReplacingAVerifiedOneIsRefused() {
        assertThat(verified.read("g1", placement("g1", "h1", 1, engine)).host()).isEqualTo("h1");

        assertThatThrownBy(() -> verified.read("g1", placement("g1", "h9", 2, guest)))
                .isInstanceOf(RejectedRecordException.class).hasMessage("not authorized: guest g1 may not emit placement");
        assertThatThrownBy(() -> verified.read("g1", placement("g1", "h9", 2, null)))
                .isInstanceOf(RejectedRecordException.class).hasMessageStartingWith("unsigned");
    }

    @Test
    void aPlacementAcceptedBeforeItsKeysRevocationIsRefusedAfterIt() {
        byte[] placed = placement("g1", "h1", 1, engine);
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
