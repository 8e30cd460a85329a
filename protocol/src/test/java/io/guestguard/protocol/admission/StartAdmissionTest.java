package io.guestguard.protocol.admission;

import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RefusalReason;
import io.guestguard.protocol.admission.StartAdmission.Refusal;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each rule of a start's admission and the refusal it makes, with the detail text the host
 * supervisor has always written (its refusal facts do not change).
 */
class StartAdmissionTest {

    private final StartAdmission h1 = new StartAdmission("h1");

    private static Optional<GuestPlacement> placed(String host, long epoch, PlacementPhase phase) {
        return Optional.of(new GuestPlacement(host, epoch, phase, Map.of()));
    }

    @Test
    void admitsAStartOfItsOwnStartingOrRunningPlacementWhenNoOtherHostRunsTheGuest() {
        for (PlacementPhase phase : List.of(PlacementPhase.STARTING, PlacementPhase.RUNNING)) {
            assertThat(h1.judge("g1", 2, placed("h1", 2, phase), false, Optional.empty(),
                    Map.of("h1", List.of("g1"), "h2", List.of("g2")))).as(phase.name()).isEmpty();
        }
    }

    @Test
    void admitsAStartWhosePlacementIsNotKnownYetOrOlder() {
        assertThat(h1.placement("g1", 2, Optional.empty())).isEmpty();
        assertThat(h1.placement("g1", 2, placed("h2", 1, PlacementPhase.HALTING))).as("an older placement elsewhere").isEmpty();
    }

    @Test
    void refusesAStaleEpoch() {
        Refusal refusal = h1.placement("g1", 2, placed("h2", 3, PlacementPhase.STARTING)).orElseThrow();

        assertThat(refusal.reason()).isEqualTo(RefusalReason.STALE_EPOCH);
        assertThat(refusal.detail())
                .isEqualTo("stale: placement epoch 3 of g1 (on h2) is newer than the command's epoch 2");
        assertThat(refusal.runsOn()).isNull();
        assertThat(StartAdmission.stale("g1", 2, placed("h2", 3, PlacementPhase.STARTING))).contains(refusal);
        assertThat(StartAdmission.stale("g1", 3, placed("h2", 3, PlacementPhase.STARTING))).isEmpty();
    }

    @Test
    void refusesAPlacementThatIsNoLongerStartingOrRunningOrIsOnAnotherHost() {
        Refusal halting = h1.placement("g1", 2, placed("h1", 2, PlacementPhase.HALTING)).orElseThrow();
        assertThat(halting.reason()).isEqualTo(RefusalReason.NOT_STARTABLE_HERE);
        assertThat(halting.detail()).isEqualTo("placement epoch 2 of g1 is HALTING on h1, not starting here");

        for (PlacementPhase phase : List.of(PlacementPhase.DOWN, PlacementPhase.FENCING, PlacementPhase.WAITING)) {
            assertThat(h1.placement("g1", 2, placed("h1", 2, phase))).as(phase.name()).get()
                    .extracting(Refusal::reason).isEqualTo(RefusalReason.NOT_STARTABLE_HERE);
        }
        assertThat(h1.placement("g1", 2, placed("h2", 2, PlacementPhase.STARTING)).orElseThrow().detail())
                .isEqualTo("placement epoch 2 of g1 is STARTING on h2, not starting here");
    }

    @Test
    void refusesWhenTheFleetWatchCannotVouchForTheGuestInItsOwnWords() {
        String blind = "beats of more than guestguard.host.max-hosts (2) hosts arrive, so another host running g1 cannot be "
                + "ruled out";
        Refusal refusal = h1.secondRunner("g1", Optional.of(blind), Map.of()).orElseThrow();

        assertThat(refusal.reason()).isEqualTo(RefusalReason.CANNOT_RULE_OUT_SECOND_RUNNER);
        assertThat(refusal.detail()).isEqualTo(blind).contains("max-hosts (2)").contains("cannot be ruled out");
        assertThat(h1.secondRunner("g1", Optional.of(blind), Map.of("h2", List.of("g1")))).as("before the beats")
                .get().extracting(Refusal::reason).isEqualTo(RefusalReason.CANNOT_RULE_OUT_SECOND_RUNNER);
    }

    @Test
    void refusesWhenAnotherHostsLiveBeatListsTheGuestNamingTheFirstSuchHost() {
        Refusal refusal = h1.secondRunner("g1", Optional.empty(),
                Map.of("h3", List.of("g1"), "h2", List.of("g0", "g1"), "h4", List.of())).orElseThrow();

        assertThat(refusal.reason()).isEqualTo(RefusalReason.RUNS_ELSEWHERE);
        assertThat(refusal.runsOn()).isEqualTo("h2");
        assertThat(refusal.detail())
                .isEqualTo("g1 still runs on h2 (its latest heartbeat lists it); starting it here would make a second runner");
    }

    @Test
    void itsOwnBeatIsNoSecondRunner() {
        assertThat(h1.secondRunner("g1", Optional.empty(), Map.of("h1", List.of("g1")))).isEmpty();
        assertThat(StartAdmission.runsElsewhere("g1", "h1", Map.of("h1", List.of("g1"), "h2", List.of("g1")))).contains("h2");
    }

    @Test
    void aGuestThatAlreadyRunsHereSkipsTheSecondRunnerRulesButNotThePlacementRules() {
        assertThat(h1.judge("g1", 2, placed("h1", 2, PlacementPhase.STARTING), true, Optional.of("blind"),
                Map.of("h2", List.of("g1")))).as("reported started again").isEmpty();
        assertThat(h1.judge("g1", 2, placed("h1", 3, PlacementPhase.STARTING), true, Optional.empty(), Map.of()))
                .get().extracting(Refusal::reason).isEqualTo(RefusalReason.STALE_EPOCH);
    }

    @Test
    void theRulesApplyInOrder() {
        Optional<GuestPlacement> stale = placed("h1", 3, PlacementPhase.HALTING);
        assertThat(h1.judge("g1", 2, stale, false, Optional.of("blind"), Map.of("h2", List.of("g1"))))
                .get().extracting(Refusal::reason).isEqualTo(RefusalReason.STALE_EPOCH);
        assertThat(h1.judge("g1", 3, stale, false, Optional.of("blind"), Map.of("h2", List.of("g1"))))
                .get().extracting(Refusal::reason).isEqualTo(RefusalReason.NOT_STARTABLE_HERE);
        assertThat(h1.judge("g1", 4, stale, false, Optional.of("blind"), Map.of("h2", List.of("g1"))))
                .get().extracting(Refusal::reason).isEqualTo(RefusalReason.CANNOT_RULE_OUT_SECOND_RUNNER);
        assertThat(h1.judge("g1", 4, stale, false, Optional.empty(), Map.of("h2", List.of("g1"))))
                .get().extracting(Refusal::reason).isEqualTo(RefusalReason.RUNS_ELSEWHERE);
    }
}
