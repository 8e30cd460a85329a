package io.guestguard.host.simulated;

import io.guestguard.host.hypervisor.Hypervisor;
import io.guestguard.host.hypervisor.HypervisorException;

import io.guestguard.host.hypervisor.Hypervisor.Domain;
import io.guestguard.host.hypervisor.Hypervisor.DomainEvent;
import io.guestguard.host.hypervisor.Hypervisor.DomainEvent.Kind;
import io.guestguard.host.hypervisor.Hypervisor.GuestDefinition;
import io.guestguard.host.hypervisor.Hypervisor.State;
import io.guestguard.process.ProcessGroups;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Two simulated hosts of one fleet over real process groups: start, pause, migrate, stop, crash. */
class SimulatedHypervisorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /**
     * The guest: a leader with a child in its group and one in a session of its own, as a reporter
     * starts each application.
     */
    private static final GuestDefinition GUEST = new GuestDefinition("g1", 0, 0, null,
            List.of("/bin/sh", "-c", "sleep 1000 & setsid sleep 1002 & exec sleep 1001"));

    @TempDir
    Path dir;
    private SimulatedHypervisor primary;
    private SimulatedHypervisor standby;
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void hosts() {
        primary = new SimulatedHypervisor("primary", dir.resolve("registry"), dir.resolve("logs"), Duration.ofMillis(200));
        standby = new SimulatedHypervisor("standby", dir.resolve("registry"), dir.resolve("logs"), Duration.ofMillis(200));
        primary.onEvent(e -> events.add("primary " + e.guest() + " " + e.kind()));
        standby.onEvent(e -> events.add("standby " + e.guest() + " " + e.kind()));
    }

    @AfterEach
    void cleanUp() throws Exception {
        primary.destroy("g1");
        standby.destroy("g1");
        primary.close();
        standby.close();
    }

    @Test
    void aGuestIsAProcessGroupThatPausesAndResumesAsAWhole() throws Exception {
        primary.start(GUEST);
        long pgid = pgid();
        List<Long> members = await().atMost(WAIT).until(() -> ProcessGroups.members(pgid), m -> m.size() == 2);
        assertThat(primary.list()).containsExactly(new Domain("g1", State.RUNNING));
        assertThat(standby.list()).isEmpty();
        await().atMost(WAIT).until(() -> events.contains("primary g1 STARTED"));

        long app = await().atMost(WAIT).until(() -> ProcessHandle.of(pgid).orElseThrow().descendants()
                .map(ProcessHandle::pid).filter(p -> ProcessGroups.groupOf(p) != pgid).findFirst(), java.util.Optional::isPresent).get();

        primary.suspend("g1");
        // A signalled process shows stopped in /proc once the kernel has delivered the signal: soon, not at once.
        await().atMost(WAIT).until(() -> members.stream().allMatch(ProcessGroups::stopped));
        await("an application in a session of its own pauses with its guest").atMost(WAIT).until(() -> ProcessGroups.stopped(app));
        assertThat(primary.find("g1")).contains(new Domain("g1", State.PAUSED));
        primary.resume("g1");
        await().atMost(WAIT).until(() -> members.stream().noneMatch(ProcessGroups::stopped) && !ProcessGroups.stopped(app));
        await().atMost(WAIT).until(() -> events.containsAll(List.of("primary g1 SUSPENDED", "primary g1 RESUMED")));

        assertThatThrownBy(() -> primary.start(GUEST)).isInstanceOf(HypervisorException.class).hasMessageContaining("already runs on primary");
        // A host does not know what other hosts run: a second runner is the supervisors' to prevent.
        standby.start(GUEST);
        assertThat(standby.find("g1")).contains(new Domain("g1", State.RUNNING));
        standby.destroy("g1");
    }

    @Test
    void aLiveMigrationPausesTheSameProcessesForTheDowntimeAndHandsThemToTheTarget() throws Exception {
        primary.start(GUEST);
        long pgid = pgid();
        List<Long> members = await().atMost(WAIT).until(() -> ProcessGroups.members(pgid), m -> m.size() == 2);

        long begin = System.nanoTime();
        primary.migrate("g1", standby);
        Duration took = Duration.ofNanos(System.nanoTime() - begin);

        assertThat(took).as("the downtime was served").isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(primary.list()).isEmpty();
        assertThat(standby.list()).containsExactly(new Domain("g1", State.RUNNING));
        assertThat(ProcessGroups.members(pgid)).as("the same processes").containsExactlyInAnyOrderElementsOf(members);
        await("the same processes, running again").atMost(WAIT).until(() -> members.stream().noneMatch(ProcessGroups::stopped));
        await().atMost(WAIT).until(() -> events.containsAll(List.of("primary g1 MIGRATED_AWAY", "standby g1 MIGRATED_IN")));
        assertThat(events).doesNotContain("primary g1 STOPPED", "primary g1 CRASHED", "standby g1 STARTED");
        assertThatThrownBy(() -> primary.suspend("g1")).hasMessageContaining("does not run on simulated host primary");
    }

    @Test
    void aShutdownIsAStopAndADeathNobodyAskedForIsACrash() throws Exception {
        primary.start(GUEST);
        long first = pgid();
        await().atMost(WAIT).until(() -> ProcessGroups.members(first).size() == 2);
        long app = await().atMost(WAIT).until(() -> ProcessHandle.of(first).orElseThrow().descendants()
                .map(ProcessHandle::pid).filter(p -> ProcessGroups.groupOf(p) != first).findFirst(), java.util.Optional::isPresent).get();
        primary.shutdown("g1", Duration.ofSeconds(5));
        assertThat(ProcessGroups.members(first)).isEmpty();
        assertThat(ProcessGroups.alive(app)).as("its applications end with the guest").isFalse();
        await().atMost(WAIT).until(() -> events.contains("primary g1 STOPPED"));

        primary.start(GUEST);
        long second = pgid();
        ProcessHandle.of(second).orElseThrow().destroyForcibly(); // the guest dies under the host
        await().atMost(WAIT).until(() -> events.contains("primary g1 CRASHED"));
        assertThat(primary.find("g1")).isEmpty();
    }

    @Test
    void migratingToAHostOfAnotherFleetIsRefusedAndTheGuestStays() throws Exception {
        primary.start(GUEST);
        try (SimulatedHypervisor stranger = new SimulatedHypervisor("elsewhere", dir.resolve("other-registry"),
                dir.resolve("logs"), Duration.ZERO)) {
            assertThatThrownBy(() -> primary.migrate("g1", stranger)).isInstanceOf(HypervisorException.class)
                    .hasMessageContaining("same fleet");
        }
        assertThat(primary.find("g1")).contains(new Domain("g1", State.RUNNING));
    }

    private long pgid() throws Exception {
        return Long.parseLong(java.nio.file.Files.readString(dir.resolve("registry/primary/g1")).trim().split(" ")[0]);
    }
}
