package io.guestguard.policy.engine.streams;

import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PlacementPhase;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Guests per host as placements arrive: what min_package_node chooses by. */
class GuestsPerHostTest {

    @Test
    void eachGuestIsCountedOnceOnItsNewestHostWhileItMayRun() {
        GuestsPerHost counts = new GuestsPerHost();
        counts.placed("g1", placement("h1", PlacementPhase.RUNNING));
        counts.placed("g2", placement("h1", PlacementPhase.RUNNING));
        counts.placed("g2", placement("h1", PlacementPhase.RUNNING)); // the same placement again
        counts.placed("g3", placement("h2", PlacementPhase.RUNNING));
        assertThat(counts.of(List.of("h1", "h2", "h3")).guestsPerHost()).containsExactly(Map.entry("h1", 2), Map.entry("h2", 1));

        counts.placed("g1", placement("h2", PlacementPhase.RUNNING)); // moved
        counts.placed("g3", placement("h2", PlacementPhase.DOWN)); // may not run: counted nowhere
        counts.placed("g2", null); // unreadable
        assertThat(counts.of(List.of("h1", "h2")).guestsPerHost()).containsExactly(Map.entry("h2", 1));
        assertThat(counts.of(List.of("h1")).guestsPerHost()).as("only the hosts asked for").isEmpty();

    }

    @Test
    void theStoredViewIsCountedOnceThenKeptByEachPlacement() {
        GuestsPerHost counts = new GuestsPerHost();
        counts.countOnce(each -> {
            each.accept("g1", placement("h1", PlacementPhase.RUNNING));
            each.accept("g2", placement("h1", PlacementPhase.RUNNING));
        });
        counts.placed("g2", placement("h2", PlacementPhase.RUNNING)); // restored or read after the count
        counts.countOnce(each -> each.accept("g3", placement("h1", PlacementPhase.RUNNING)));

        assertThat(counts.of(List.of("h1", "h2")).guestsPerHost()).as("the second count changes nothing")
                .containsExactly(Map.entry("h1", 1), Map.entry("h2", 1));
    }

    private static GuestPlacement placement(String host, PlacementPhase phase) {
        return new GuestPlacement(host, 1, phase, Map.of());
    }
}
