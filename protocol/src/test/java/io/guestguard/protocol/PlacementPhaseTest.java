package io.guestguard.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The placement phase is an enum in Java and the same strings as before on the wire. */
class PlacementPhaseTest {

    private final EventCodec codec = new EventCodec();

    @Test
    void aGuestMayRunOnItsHostWhileStartedAndNotYetConfirmedHaltedOrFenced() {
        assertThat(PlacementPhase.values()).filteredOn(PlacementPhase::mayRun)
                .containsExactly(PlacementPhase.STARTING, PlacementPhase.RUNNING, PlacementPhase.HALTING, PlacementPhase.FENCING);
        assertThat(new GuestPlacement("h1", 2, PlacementPhase.HALTING, Map.of()).mayRunOn("h1")).isTrue();
        assertThat(new GuestPlacement("h1", 2, PlacementPhase.HALTING, Map.of()).mayRunOn("h2")).isFalse();
        assertThat(new GuestPlacement("h1", 2, PlacementPhase.WAITING, Map.of()).mayRun()).isFalse();
        assertThat(new GuestPlacement(null, 0, PlacementPhase.RUNNING, Map.of()).mayRun()).isFalse();
    }

    @Test
    void everyPhaseTravelsAsItsNameAsBefore() {
        for (PlacementPhase phase : PlacementPhase.values()) {
            String json = "{\"specversion\":\"1.0\",\"id\":\"p-1\",\"source\":\"/policy-engine\",\"type\":\"io.guestguard.placement.v1\","
                    + "\"time\":\"2026-11-26T12:00:01.234Z\",\"datacontenttype\":\"application/json\",\"guestid\":\"g1\","
                    + "\"data\":{\"host\":\"h1\",\"epoch\":3,\"phase\":\"" + phase.name() + "\",\"failures\":{}}}";
            CloudEvent<?> event = codec.decode(json.getBytes(StandardCharsets.UTF_8));

            assertThat(event.data()).isEqualTo(new GuestPlacement("h1", 3, phase, Map.of()));
            assertThat(new String(codec.encode(event), StandardCharsets.UTF_8)).contains("\"phase\":\"" + phase.name() + "\"");
        }
    }
}
