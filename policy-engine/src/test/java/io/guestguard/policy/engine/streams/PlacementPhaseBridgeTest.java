package io.guestguard.policy.engine.streams;

import io.guestguard.policy.core.Placement;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PlacementPhase;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Until policy-core uses the protocol's {@link PlacementPhase} itself, the engine maps its
 * {@code Placement.Phase} to the wire's by name: both must list the same phases, and both must say
 * the same about whether a guest may run on its host.
 */
class PlacementPhaseBridgeTest {

    @Test
    void theCoresPhasesAreTheWiresPhases() {
        assertThat(Arrays.stream(Placement.Phase.values()).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(PlacementPhase.values()).map(Enum::name).toList());
    }

    @Test
    void mayRunMeansTheSameInTheCoreAndOnTheWire() {
        for (Placement.Phase phase : Placement.Phase.values()) {
            for (String host : new String[] {null, "h1"}) {
                Placement core = new Placement(host, 1, phase, null, Placement.Motive.NONE);
                GuestPlacement wire = DecideProcessor.placementOf(StateRebuild.of(null, new GuestPlacement(host, 1,
                        PlacementPhase.valueOf(phase.name()), Map.of()), 0));
                assertThat(wire.phase()).isEqualTo(PlacementPhase.valueOf(phase.name()));
                assertThat(wire.mayRun()).as("%s on %s", phase, host).isEqualTo(core.mayRun());
                assertThat(wire.mayRunOn("h1")).as("%s on %s, asked about h1", phase, host).isEqualTo(core.mayRun());
                assertThat(wire.mayRunOn("h2")).isFalse();
            }
        }
    }
}
