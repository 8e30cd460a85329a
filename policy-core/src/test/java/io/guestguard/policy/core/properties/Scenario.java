package io.guestguard.policy.core.properties;

import io.guestguard.policy.core.FleetView;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.PackageSpec;

import java.util.List;

/** A generated run: a package, the fleet views, and a script of hostile facts or of world moves. */
sealed interface Scenario {

    PackageSpec spec();

    List<FleetView> views();

    /** Plays the script through {@code run} and returns every fact the decider was given, in order. */
    List<CloudEvent<Fact>> play(Run run);

    default FleetView view(int index) {
        return views().get(index % views().size());
    }

    /** Hostile facts; {@code applyFirst} is false in a few runs, to cover a guest with no package. */
    record Noisy(PackageSpec spec, List<FleetView> views, boolean applyFirst, List<Gen.Noise> script) implements Scenario {
        @Override
        public List<CloudEvent<Fact>> play(Run run) {
            Hostile hostile = new Hostile(spec, views);
            hostile.play(applyFirst, script, run);
            return hostile.given();
        }
    }

    /** A well-behaved fleet answering the decider's commands, with failures mixed in. */
    record Simulated(PackageSpec spec, List<FleetView> views, List<Gen.Move> script) implements Scenario {
        @Override
        public List<CloudEvent<Fact>> play(Run run) {
            FleetScript fleet = new FleetScript(spec, views, run);
            fleet.play(script);
            return fleet.given();
        }
    }
}
