package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.OperatorRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Serviceguard's second documented failure, reproduced and beaten. After a live migration of g1 from
 * primary to standby, the guest's reporter cannot reach Kafka through standby (its guest network
 * relays to a dead port: the path to the new host is broken, as cmappserver's contact with cmappmgr
 * was), and g1's app1 fails right after the migration.
 * <ul>
 *   <li>Without the migration watcher, nobody notices: no failure fact, no decision, app1 stays
 *       down.</li>
 *   <li>With it, the rebind goes unanswered, the watcher escalates with {@code contact-lost}, the
 *       engine fails g1 over back to primary, and app1 runs again there.</li>
 * </ul>
 */
class MigrationContactTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../.."));
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void withoutTheWatcherAFailureAfterTheMigrationGoesUnnoticed(@TempDir Path runDir) throws Exception {
        try (BenchFleet bench = BenchFleet.twoHosts(HOME, runDir, "2", brokenStandby().withoutWatcher())) {
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            int afterFailure = migrateThenFail(bench, observed);

            await("no sign of g1/app1's failure for 20 s").during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(30))
                    .until(() -> observed.between(afterFailure, Integer.MAX_VALUE - 1, g1(e -> e.data() instanceof AppFailed
                            || e.data() instanceof Decision || e.data() instanceof AppStarted)).isEmpty());
            assertThat(observed.all(g1(e -> e.data() instanceof ContactLost))).isEmpty();
        }
    }

    @Test
    void withTheWatcherContactIsFoundLostAndTheGuestFailsOverToAHostItCanReach(@TempDir Path runDir) throws Exception {
        try (BenchFleet bench = BenchFleet.twoHosts(HOME, runDir, "2", brokenStandby())) {
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            int afterFailure = migrateThenFail(bench, observed);
            long deadline = Observed.deadline(WAIT);

            Observed.Seen lost = observed.await(afterFailure, g1(e -> e.data() instanceof ContactLost), deadline,
                    "the watcher's contact-lost");
            assertThat(((ContactLost) lost.event().data()).trigger()).isEqualTo("migration-completed");
            assertThat(((ContactLost) lost.event().data()).host()).isEqualTo("standby");
            // Each from the failure, not from the event before it: the timeline reads several topics, so an
            // effect on one topic may be read before its cause on another.
            Observed.Seen failover = observed.await(afterFailure, g1(e -> e.data() instanceof Decision d
                    && d.action() == Decision.Action.FAILOVER), deadline, "the failover decision");
            Decision decision = (Decision) failover.event().data();
            assertThat(decision.reason().code()).isEqualTo("CONTACT_LOST");
            assertThat(decision.toHost()).isEqualTo("primary");
            Observed.Seen started = observed.await(afterFailure, g1(e -> e.data() instanceof GuestStarted s
                    && s.host().equals("primary")), deadline, "g1 started on primary again");
            observed.await(started.seq(), g1(e -> e.data() instanceof AppStarted s && s.app().equals("app1")), deadline,
                    "app1 running again on primary");
        }
    }

    /** Standby's guest network relays to a port nothing listens on. */
    private static LocalFleet.Options brokenStandby() {
        return LocalFleet.Options.DEFAULT.withHost("standby", Map.of("guestguard.host.simulated.gateway.upstream",
                "127.0.0.1:" + EmbeddedKafka.freePort()));
    }

    /**
     * g1 runs on primary with app1 up and restarts it once (contact works there); then it is migrated
     * to standby and app1 is killed right after the migration completed. Returns the mark after the kill.
     */
    private static int migrateThenFail(BenchFleet bench, Observed observed) throws InterruptedException {
        long deadline = Observed.deadline(WAIT);
        observed.await(0, g1(e -> e.data() instanceof AppStarted s && s.app().equals("app1")), deadline, "app1 started");
        long pid = lastApp1Pid(observed);
        int mark = observed.mark();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        observed.await(mark, g1(e -> e.data() instanceof Decision d && d.action() == Decision.Action.RESTART_APP
                && d.attempt() == 1), deadline, "app1's first restart, on primary");
        observed.await(mark, g1(e -> e.data() instanceof AppStarted s && s.app().equals("app1") && s.pid() != pid),
                deadline, "app1 back on primary");

        mark = observed.mark();
        bench.fleet().tell("g1", new OperatorRequest(OperatorRequest.Action.MIGRATE, "standby", LocalFleet.OPERATOR.name()));
        observed.await(mark, g1(e -> e.data() instanceof MigrationCompleted c && c.to().equals("standby")), deadline,
                "g1 migrated to standby");
        long app1 = lastApp1Pid(observed);
        int afterFailure = observed.mark();
        ProcessHandle.of(app1).orElseThrow().destroyForcibly();
        return afterFailure;
    }

    private static long lastApp1Pid(Observed observed) {
        List<Observed.Seen> started = observed.all(g1(e -> e.data() instanceof AppStarted s && s.app().equals("app1")));
        return ((AppStarted) started.get(started.size() - 1).event().data()).pid();
    }

    private static Predicate<CloudEvent<?>> g1(Predicate<CloudEvent<?>> match) {
        return e -> "g1".equals(e.guestId()) && match.test(e);
    }
}
