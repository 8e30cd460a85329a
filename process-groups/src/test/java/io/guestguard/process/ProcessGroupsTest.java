package io.guestguard.process;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real process groups, made with setsid(1): their members, signals to all of them, start times. */
class ProcessGroupsTest {

    private Process leader;

    @AfterEach
    void killWhatIsLeft() throws InterruptedException {
        if (leader != null) {
            ProcessGroups.kill(leader.pid());
        }
    }

    @Test
    void aGroupHoldsTheLeaderAndTheChildItForkedAndOneSignalReachesBoth() throws Exception {
        leader = new ProcessBuilder("setsid", "/bin/sh", "-c", "sleep 1000 & exec sleep 1001").start();
        long pgid = leader.pid();
        List<Long> members = await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.members(pgid), m -> m.size() == 2);

        assertThat(members).contains(pgid);
        assertThat(ProcessGroups.groupOf(pgid)).isEqualTo(pgid);
        assertThat(ProcessGroups.sessionOf(pgid)).isEqualTo(pgid);
        assertThat(ProcessGroups.startTicks(pgid)).isPositive();

        ProcessGroups.signal(pgid, "STOP");
        await().atMost(Duration.ofSeconds(10)).until(() -> members.stream().allMatch(ProcessGroups::stopped));
        ProcessGroups.signal(pgid, "CONT");
        await().atMost(Duration.ofSeconds(10)).until(() -> members.stream().noneMatch(ProcessGroups::stopped));

        assertThat(ProcessGroups.terminate(pgid, Duration.ofSeconds(5))).as("sleep obeys SIGTERM").isFalse();
        assertThat(ProcessGroups.members(pgid)).isEmpty();
        members.forEach(pid -> assertThat(ProcessGroups.alive(pid)).isFalse());
        assertThat(ProcessGroups.startTicks(pgid)).isEqualTo(-1);
    }

    @Test
    void terminateKillsAGroupThatIgnoresTermAfterTheGrace() throws Exception {
        leader = new ProcessBuilder("setsid", "/bin/sh", "-c", "trap '' TERM; sleep 1000 & wait").start();
        long pgid = leader.pid();
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.members(pgid).size() == 2);

        assertThat(ProcessGroups.terminate(pgid, Duration.ofMillis(300))).as("SIGKILL was needed").isTrue();
        assertThat(ProcessGroups.members(pgid)).isEmpty();
    }
}
