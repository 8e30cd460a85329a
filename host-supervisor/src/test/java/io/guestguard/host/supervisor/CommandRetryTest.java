package io.guestguard.host.supervisor;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.agent.CommandJournal;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.PlacementPhase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A command whose execution throws is tried again with a growing delay, a bounded number of times,
 * on real supervisors, simulated hosts and a real broker; the hypervisor's failures are injected.
 */
class CommandRetryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static EmbeddedKafka broker;

    @TempDir
    Path dir;
    private SimulatedFleet fleet;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafka.startTemporary(Topics.DEFAULT, 1);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void newFleet() {
        fleet = new SimulatedFleet(broker, dir).with("command-retry.first-delay", "50ms")
                .with("command-retry.max-delay", "200ms").with("command-retry.attempts", "4");
    }

    @AfterEach
    void cleanUp() {
        fleet.close();
    }

    @Test
    void aCommandThatThrowsIsTriedAgainAndAppliedWithoutARestart() throws Exception {
        AtomicReference<FlakyHypervisor> flaky = new AtomicReference<>();
        HostNode h1 = fleet.start("h1", real -> {
            flaky.set(new FlakyHypervisor(real, "g1", 2));
            return flaky.get();
        });
        fleet.placement("g1", "h1", 1, PlacementPhase.STARTING);
        fleet.command("g1", 1L, new StartGuest("g1", "h1", 1, "d1"));

        await().atMost(WAIT).until(() -> fleet.facts("g1", GuestStarted.class), f -> f.size() == 1);
        assertThat(flaky.get().lookups.get()).as("two failed attempts, then the one that worked").isGreaterThanOrEqualTo(3);
        assertThat(fleet.runners("g1")).hasSize(1);
        assertThat(h1.supervisor().idle(WAIT)).isTrue();
        assertThat(h1.troubles()).isEmpty();
        await().atMost(WAIT).alias("an idle guest's queue is forgotten").until(() -> h1.supervisor().queuedGuests() == 0);
        fleet.stop("h1");
        try (CommandJournal journal = CommandJournal.open(dir.resolve("h1").resolve("commands"))) {
            assertThat(journal.pending()).as("done, not left for the next start").isEmpty();
        }
    }

    @Test
    void aCommandThatFailsOnEveryAttemptIsReportedAndFinishedByTheNextStart() throws Exception {
        HostNode h1 = fleet.start("h1", real -> new FlakyHypervisor(real, "g1", Integer.MAX_VALUE));
        fleet.placement("g1", "h1", 1, PlacementPhase.STARTING);
        fleet.placement("g2", "h1", 1, PlacementPhase.STARTING);
        fleet.command("g1", 1L, new StartGuest("g1", "h1", 1, "d1"));
        fleet.command("g2", 1L, new StartGuest("g2", "h1", 1, "d2"));

        List<String> troubles = await().atMost(WAIT).until(h1::troubles, t -> !t.isEmpty());
        assertThat(troubles).singleElement().asString().contains("failed on every attempt").contains("for g1")
                .contains("connection to the hypervisor lost");
        await().atMost(WAIT).until(() -> fleet.facts("g2", GuestStarted.class), f -> f.size() == 1);
        assertThat(fleet.facts("g1")).as("no outcome: it was never carried out").isEmpty();

        fleet.stop("h1"); // a restart with a working hypervisor finishes it
        HostNode again = fleet.start("h1");

        await().atMost(WAIT).until(() -> fleet.facts("g1", GuestStarted.class), f -> f.size() == 1);
        assertThat(again.troubles()).isEmpty();
        assertThat(fleet.facts("g1", CommandRefused.class)).isEmpty();
        fleet.command("g1", 1L, new HaltGuest("g1", "h1", 1, "d3"));
        await().atMost(WAIT).until(() -> fleet.facts("g1", GuestHalted.class), f -> f.size() == 1);
    }
}
