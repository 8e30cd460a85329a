package io.guestguard.host.supervisor;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.agent.CommandJournal;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.RefusalReason;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.StartGuest;
import io.guestguard.protocol.Traceparent;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.process.ProcessGroups;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Host supervisors on simulated hosts and a real broker, driven by commands as the engine sends
 * them: each answered by a fact with the command's epoch, stale ones refused, none applied twice
 * across restarts, fences through a real hook script.
 */
class HostSupervisorCommandsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
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
        fleet = new SimulatedFleet(broker, dir);
    }

    @AfterEach
    void cleanUp() {
        fleet.close();
    }

    @Test
    void startsAndHaltsAGuestAndAnswersEachWithTheCommandsEpoch() throws Exception {
        fleet.start("h1");
        fleet.placement("g1", "h1", 1, PlacementPhase.STARTING);
        fleet.command("g1", 1L, new StartGuest("g1", "h1", 1, "d1"));

        CloudEvent<?> started = await().atMost(WAIT).until(() -> fleet.facts("g1", GuestStarted.class), f -> !f.isEmpty()).get(0);
        assertThat(started.data()).isEqualTo(new GuestStarted("h1"));
        assertThat(started.epoch()).isEqualTo(1L);
        assertThat(started.hostId()).isEqualTo("h1");
        assertThat(started.traceparent()).as("a start command without a trace: its answer starts one").isNotNull();
        assertThat(fleet.runners("g1")).hasSize(1);
        assertThat(fleet.host("h1").inventory()).containsExactly("g1");

        Traceparent haltTrace = Traceparent.start();
        fleet.command("g1", 1L, new HaltGuest("g1", "h1", 1, "d2"), haltTrace);
        CloudEvent<?> halted = await().atMost(WAIT).until(() -> fleet.facts("g1", GuestHalted.class), f -> !f.isEmpty()).get(0);
        assertThat(halted.epoch()).isEqualTo(1L);
        assertThat(halted.traceparent().traceId()).as("the answer continues the command's trace").isEqualTo(haltTrace.traceId());
        assertThat(halted.traceparent().parentId()).isNotEqualTo(haltTrace.parentId());
        assertThat(fleet.runners("g1")).isEmpty();
        assertThat(fleet.host("h1").inventory()).isEmpty();
    }

    @Test
    void refusesACommandOlderThanTheNewestPlacementAndSaysWhy() throws Exception {
        fleet.start("h1");
        fleet.placement("g1", "h2", 3, PlacementPhase.RUNNING);
        String id = fleet.command("g1", 2L, new StartGuest("g1", "h1", 2, "d1"));

        CloudEvent<?> refused = await().atMost(WAIT).until(() -> fleet.facts("g1", CommandRefused.class), f -> !f.isEmpty()).get(0);
        CommandRefused why = (CommandRefused) refused.data();
        assertThat(why.commandId()).isEqualTo(id);
        assertThat(why.command()).isEqualTo(CommandKind.START_GUEST);
        assertThat(why.refusal()).isEqualTo(RefusalReason.STALE_EPOCH);
        assertThat(why.reason()).contains("stale").contains("epoch 3").contains("epoch 2");
        assertThat(refused.epoch()).as("stamped with the refused command's epoch").isEqualTo(2L);
        assertThat(fleet.runners("g1")).isEmpty();
        assertThat(fleet.facts("g1", GuestStarted.class)).isEmpty();
        CommandOutcomes outcomes = fleet.host("h1").supervisor().outcomes();
        assertThat(outcomes.count(CommandKind.START_GUEST, CommandOutcomes.Outcome.REFUSED)).as("counted for the metrics").isEqualTo(1);
        assertThat(outcomes.count(CommandKind.START_GUEST, CommandOutcomes.Outcome.APPLIED)).as("a refusal is no application").isZero();
    }

    @Test
    void refusesALateStartWhosePlacementIsNoLongerStarting() throws Exception {
        fleet.start("h1");
        fleet.placement("g1", "h1", 2, PlacementPhase.HALTING); // started, then failed over: the engine is halting it
        fleet.command("g1", 2L, new StartGuest("g1", "h1", 2, "d1")); // a copy of the start, delivered late

        CommandRefused why = (CommandRefused) await().atMost(WAIT)
                .until(() -> fleet.facts("g1", CommandRefused.class), f -> !f.isEmpty()).get(0).data();
        assertThat(why.reason()).contains("is HALTING on h1, not starting here");
        assertThat(why.refusal()).isEqualTo(RefusalReason.NOT_STARTABLE_HERE);
        assertThat(fleet.runners("g1")).isEmpty();
    }

    @Test
    void refusesToStartAGuestThatAnotherHostsLiveBeatStillLists() throws Exception {
        fleet.start("h1");
        fleet.placement("g1", "h1", 2, PlacementPhase.STARTING);
        ScheduledExecutorService h2 = Executors.newSingleThreadScheduledExecutor();
        try {
            h2.scheduleAtFixedRate(() -> fleet.beat("h2", List.of("g1")), 0, 100, TimeUnit.MILLISECONDS); // h2 beats on with g1
            fleet.command("g1", 2L, new StartGuest("g1", "h1", 2, "d1"));

            CommandRefused why = (CommandRefused) await().atMost(WAIT)
                    .until(() -> fleet.facts("g1", CommandRefused.class), f -> !f.isEmpty()).get(0).data();
            assertThat(why.reason()).contains("still runs on h2");
            assertThat(why.refusal()).isEqualTo(RefusalReason.RUNS_ELSEWHERE);
            assertThat(fleet.runners("g1")).isEmpty();
        } finally {
            h2.shutdownNow();
        }
    }

    @Test
    void refusesAStartWhileBeatsOfMoreHostsThanItKeepsArriveSinceASecondRunnerCouldNotBeRuledOut() throws Exception {
        HostNode h1 = fleet.with("max-hosts", "2").start("h1");
        fleet.placement("g1", "h1", 2, PlacementPhase.STARTING);
        fleet.beat("h2", List.of());
        fleet.beat("h3", List.of());
        fleet.beat("forged-h4", List.of("g1")); // the one it has no room for
        fleet.command("g1", 2L, new StartGuest("g1", "h1", 2, "d1"));

        CommandRefused why = (CommandRefused) await().atMost(WAIT)
                .until(() -> fleet.facts("g1", CommandRefused.class), f -> !f.isEmpty()).get(0).data();
        assertThat(why.reason()).contains("max-hosts (2)").contains("cannot be ruled out");
        assertThat(why.refusal()).isEqualTo(RefusalReason.CANNOT_RULE_OUT_SECOND_RUNNER);
        assertThat(fleet.runners("g1")).isEmpty();
        await().atMost(WAIT).until(() -> h1.troubles().isEmpty()); // once those beats are older than peer-timeout
    }

    @Test
    void aStartWaitsForTheNextBeatOfAHostThatJustStoppedTheGuest() throws Exception {
        fleet.start("h1");
        fleet.placement("g1", "h1", 2, PlacementPhase.STARTING);
        fleet.beat("h2", List.of("g1")); // h2's last beat before its guest was fenced
        ScheduledExecutorService h2 = Executors.newSingleThreadScheduledExecutor();
        try {
            fleet.command("g1", 2L, new StartGuest("g1", "h1", 2, "d1"));
            h2.schedule(() -> fleet.beat("h2", List.of()), 200, TimeUnit.MILLISECONDS); // its next beat: g1 is gone

            await().atMost(WAIT).until(() -> fleet.facts("g1", GuestStarted.class), f -> f.size() == 1);
            assertThat(fleet.facts("g1", CommandRefused.class)).isEmpty();
            assertThat(fleet.runners("g1")).hasSize(1);
        } finally {
            h2.shutdownNow();
        }
    }

    @Test
    void appliesEachCommandOnceAcrossRestartsAndFinishesWhatACrashCutShort() throws Exception {
        fleet.start("h1");
        fleet.placement("g1", "h1", 1, PlacementPhase.STARTING);
        CloudEvent<StartGuest> start = new CloudEvent<>("start-g1", "/policy-engine", Instant.now(), "g1", null, "h1", 1L,
                new StartGuest("g1", "h1", 1, "d1"));
        fleet.resend(start);
        await().atMost(WAIT).until(() -> fleet.facts("g1", GuestStarted.class), f -> f.size() == 1);
        long pid = fleet.runners("g1").get(0);

        fleet.stop("h1");
        fleet.resend(start); // delivered again while the supervisor is down
        fleet.placement("g2", "h1", 1, PlacementPhase.STARTING);
        // A start it had begun (journalled) when it crashed, before its fact was written.
        try (CommandJournal journal = CommandJournal.open(dir.resolve("h1").resolve("commands"))) {
            journal.begin("start-g2", 9_999, new EventCodec().encode(new CloudEvent<>("start-g2", "/policy-engine",
                    Instant.now(), "g2", null, "h1", 1L, new StartGuest("g2", "h1", 1, "d2"))));
        }
        fleet.start("h1");

        await().atMost(WAIT).until(() -> fleet.facts("g2", GuestStarted.class), f -> f.size() == 1);
        assertThat(fleet.runners("g2")).hasSize(1);
        fleet.command("g1", 1L, new HaltGuest("g1", "h1", 1, "d3")); // a later command proves the resend was read
        await().atMost(WAIT).until(() -> fleet.facts("g1", GuestHalted.class), f -> f.size() == 1);
        assertThat(fleet.facts("g1", GuestStarted.class)).as("the resent start was not applied again").hasSize(1);
        assertThat(ProcessGroups.alive(pid)).isFalse();
        assertThat(fleet.runners("g1")).isEmpty();
    }

    @Test
    void aRestartedSupervisorReadoptsItsGuestsAndReportsOnesPlacedElsewhere() throws Exception {
        fleet.start("h1");
        fleet.placement("g1", "h1", 1, PlacementPhase.STARTING);
        fleet.command("g1", 1L, new StartGuest("g1", "h1", 1, "d1"));
        fleet.placement("g2", "h1", 1, PlacementPhase.STARTING);
        fleet.command("g2", 1L, new StartGuest("g2", "h1", 1, "d2"));
        await().atMost(WAIT).until(() -> fleet.facts("g1", GuestStarted.class).size() + fleet.facts("g2", GuestStarted.class).size(),
                n -> n == 2);
        fleet.placement("g1", "h1", 1, PlacementPhase.RUNNING);
        long g1 = fleet.runners("g1").get(0);

        fleet.stop("h1"); // its guests run on, as after a SIGTERM
        fleet.placement("g2", "h2", 2, PlacementPhase.RUNNING); // meanwhile the engine placed g2 elsewhere
        fleet.start("h1");

        await().atMost(WAIT).until(() -> fleet.facts("g2", GuestStarted.class), f -> f.size() == 2);
        CloudEvent<?> again = fleet.facts("g2", GuestStarted.class).get(1);
        assertThat(again.epoch()).as("no epoch: the decider checks it against the placement it knows (h2 as 2)").isNull();
        assertThat(again.hostId()).isEqualTo("h1");
        assertThat(fleet.facts("g1", GuestStarted.class)).as("g1, placed here, is this host's again without a word").hasSize(1);
        assertThat(fleet.runners("g1")).containsExactly(g1);
    }

    @Test
    void liveMigratesTheSameProcessesToTheTargetHost() throws Exception {
        fleet.start("h1");
        fleet.start("h2");
        fleet.placement("g1", "h1", 1, PlacementPhase.STARTING);
        fleet.command("g1", 1L, new StartGuest("g1", "h1", 1, "d1"));
        await().atMost(WAIT).until(() -> fleet.facts("g1", GuestStarted.class), f -> f.size() == 1);
        long pid = fleet.runners("g1").get(0);
        fleet.placement("g1", "h1", 1, PlacementPhase.RUNNING);

        fleet.command("g1", 1L, new MigrateGuest("g1", "h1", "h2", 1, "d2"));

        await().atMost(WAIT).until(() -> fleet.facts("g1", MigrationCompleted.class), f -> f.size() == 1);
        List<CloudEvent<?>> migration = fleet.facts("g1").stream()
                .filter(f -> f.data() instanceof MigrationStarted || f.data() instanceof MigrationCompleted).toList();
        assertThat(migration.stream().map(f -> (Object) f.data()).toList())
                .containsExactly(new MigrationStarted("h1", "h2"), new MigrationCompleted("h1", "h2"));
        assertThat(migration).allSatisfy(f -> assertThat(f.epoch()).isEqualTo(1L));
        assertThat(fleet.runners("g1")).containsExactly(pid);
        assertThat(fleet.host("h2").inventory()).containsExactly("g1");
        assertThat(fleet.host("h1").inventory()).isEmpty();
        assertThat(fleet.facts("g1", GuestHalted.class)).as("moving away is not a halt").isEmpty();
    }

    @Test
    void fencesThroughTheHookOncePerLossAndStampsTheFenceCommandsEpoch() throws Exception {
        Path calls = dir.resolve("fence-calls");
        Path hook = dir.resolve("fence.sh");
        SimulatedFleet.write(hook, "echo \"$GUESTGUARD_HOST fences $1\" >> " + calls + "\necho powered off $1\n");
        fleet.with("fence-command", "sh " + hook).start("h2");

        fleet.command("g1", 4L, new FenceHost("h2", "h1", "d1"));
        fleet.command("g2", 7L, new FenceHost("h2", "h1", "d2"));

        CloudEvent<?> fenced = await().atMost(WAIT).until(() -> fleet.facts("g1", HostFenced.class), f -> f.size() == 1).get(0);
        assertThat(fenced.data()).isEqualTo(new HostFenced("h1"));
        assertThat(fenced.epoch()).isEqualTo(4L);
        assertThat(await().atMost(WAIT).until(() -> fleet.facts("g2", HostFenced.class), f -> f.size() == 1).get(0).epoch())
                .isEqualTo(7L);
        assertThat(Files.readAllLines(calls)).as("one power-off for both guests of the lost host").containsExactly("h2 fences h1");
    }

    @Test
    void theSimulatedHostsFenceHookPowersTheLostHostsGuestsOff() throws Exception {
        fleet.with("fence-command", fleet.fenceCommand());
        fleet.start("h1");
        fleet.start("h2");
        fleet.placement("g1", "h1", 1, PlacementPhase.STARTING);
        fleet.command("g1", 1L, new StartGuest("g1", "h1", 1, "d1"));
        await().atMost(WAIT).until(() -> fleet.runners("g1").size() == 1);
        fleet.stop("h1"); // hung: its supervisor is gone, its guest still runs

        fleet.command("g1", 1L, new FenceHost("h2", "h1", "d2"));

        await().atMost(WAIT).until(() -> fleet.facts("g1", HostFenced.class), f -> f.size() == 1);
        assertThat(fleet.runners("g1")).as("powered off with its host").isEmpty();
        assertThat(dir.resolve("registry/h1/g1")).doesNotExist();
    }

    @Test
    void aFenceHookThatFailsIsReportedAndNothingIsClaimed() throws Exception {
        Path hook = dir.resolve("fence.sh");
        SimulatedFleet.write(hook, "echo 'BMC of' $1 'does not answer'\nexit 3\n");
        fleet.with("fence-command", "sh " + hook).start("h2");

        fleet.command("g1", 4L, new FenceHost("h2", "h1", "d1"));

        CloudEvent<?> refused = await().atMost(WAIT).until(() -> fleet.facts("g1", CommandRefused.class), f -> f.size() == 1).get(0);
        assertThat(((CommandRefused) refused.data()).reason()).contains("exited 3").contains("BMC of h1 does not answer");
        assertThat(((CommandRefused) refused.data()).refusal()).isEqualTo(RefusalReason.FENCE_NOT_CONFIRMED);
        assertThat(((CommandRefused) refused.data()).command()).isEqualTo(CommandKind.FENCE_HOST);
        assertThat(refused.epoch()).isEqualTo(4L);
        assertThat(fleet.facts("g1", HostFenced.class)).isEmpty();
    }

    @Test
    void aGuestThatDiesUnaskedIsReportedHaltedWithItsPlacementsEpoch() throws Exception {
        fleet.start("h1");
        fleet.placement("g1", "h1", 2, PlacementPhase.STARTING);
        fleet.command("g1", 2L, new StartGuest("g1", "h1", 2, "d1"));
        await().atMost(WAIT).until(() -> fleet.facts("g1", GuestStarted.class), f -> f.size() == 1);
        fleet.placement("g1", "h1", 2, PlacementPhase.RUNNING);
        await().atMost(WAIT).until(() -> fleet.host("h1").supervisor() != null);

        ProcessGroups.kill(ProcessGroups.groupOf(fleet.runners("g1").get(0)));

        CloudEvent<?> halted = await().atMost(WAIT).until(() -> fleet.facts("g1", GuestHalted.class), f -> f.size() == 1).get(0);
        assertThat(halted.data()).isEqualTo(new GuestHalted("h1"));
        assertThat(halted.epoch()).isEqualTo(2L);
    }
}
