package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.DetectorTick;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.HostLost;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 16, point 2, on the real packaged services: a host supervisor stopped with SIGTERM (what
 * {@code systemctl stop} or {@code restart} sends) says it leaves; the engine counts its host detached,
 * not lost, however long past the host timeout it stays silent; started again, it beats and the host is
 * attached again, every guest and application still the same processes: nothing fenced, failed over,
 * halted or restarted. (A supervisor killed with SIGKILL stays a host loss: FleetHostLossBenchmarkTest.)
 */
class SupervisorStopIsADetachTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    /**
     * Three host timeouts of the fleet's engine (1 s): silence that long would be a loss but for the
     * detach. Not much longer: the simulated guest network is relayed by the supervisor's process, so its
     * guests are cut off while it is away, and the watcher reports contact lost (a failover) after its
     * silence-timeout (10 s), which a real guest's network, independent of the host agent, would not cause.
     */
    private static final long AWAY_MS = 3_000;

    private final EventCodec codec = new EventCodec();

    @Test
    void aSupervisorStoppedAndStartedAgainLeavesEveryApplicationRunningAndFencesNothing(@TempDir Path runDir) throws Exception {
        try (BenchFleet bench = BenchFleet.twoHosts(HOME, runDir.resolve("run"), "2")) {
            LocalFleet fleet = bench.fleet();
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            Map<String, Long> pids = new TreeMap<>();
            for (String guest : LocalFleet.GUESTS) {
                for (String app : List.of("app1", "app2")) {
                    pids.put(guest + "/" + app, ((AppStarted) observed.await(0, e -> guest.equals(e.guestId())
                                    && e.data() instanceof AppStarted s && s.app().equals(app) && s.pid() != null,
                            Observed.deadline(DEADLINE), guest + "/" + app + " started").event().data()).pid());
                }
            }
            int mark = observed.mark();

            try (TopicReader beats = new TopicReader(fleet.bootstrapServers(), fleet.topics().hostHeartbeats())) {
                Partition primary = new Partition();
                fleet.supervisor("primary").terminate();
                await("primary's leaving, then the detector's ticks " + AWAY_MS + " ms past it").atMost(DEADLINE)
                        .until(() -> primary.read(beats, r -> codec.decode(r.value()).data() instanceof HostLeaving)
                                && primary.tickedSince(AWAY_MS));

                fleet.startSupervisor("primary");
                observed.await(mark, e -> e.data() instanceof Heartbeat b && b.id().equals("primary"), Observed.deadline(DEADLINE),
                        "primary beating again");
                Partition back = new Partition();
                await("primary beating with its three guests, and ticks 2 s past that beat").atMost(DEADLINE)
                        .until(() -> back.read(beats, r -> codec.decode(r.value()).data() instanceof Heartbeat b
                                && b.id().equals("primary") && b.guests().containsAll(LocalFleet.GUESTS)) && back.tickedSince(2_000));
            }

            assertThat(observed.between(mark, observed.mark(), e -> e.data() instanceof HostLeaving l && l.host().equals("primary")))
                    .as("the leaving, on the timeline").hasSize(1);
            assertThat(observed.between(mark, observed.mark(), e -> e.data() instanceof HostLost || e.data() instanceof AppStarted
                    || e.data() instanceof Decision d && d.action() != Decision.Action.NONE))
                    .as("no host lost, nothing decided, no application started again").isEmpty();
            pids.forEach((app, pid) -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as(app + " still pid " + pid).isTrue());
            assertThat(fleet.registry().resolve("primary")).isDirectoryContaining(p -> p.getFileName().toString().equals("g1"));
        }
    }

    /**
     * One partition of {@code host-heartbeats.v1} as read: the record that matched first, and the append
     * time of the last detector tick after it in the same partition.
     */
    private final class Partition {
        private ConsumerRecord<String, byte[]> found;
        private long lastTick = -1;

        /** Reads what is new; whether the record looked for was found (now or before). */
        boolean read(TopicReader reader, Predicate<ConsumerRecord<String, byte[]>> wanted) {
            for (ConsumerRecord<String, byte[]> r : reader.pollNew(Duration.ofMillis(200))) {
                if (found == null && r.key().equals("primary") && wanted.test(r)) {
                    found = r;
                } else if (found != null && r.partition() == found.partition() && r.key().startsWith("tick-")
                        && codec.decode(r.value()).data() instanceof DetectorTick) {
                    lastTick = r.timestamp();
                }
            }
            return found != null;
        }

        /** Whether the detector ticked {@code ms} past the record found, in its partition: it judged the host by then. */
        boolean tickedSince(long ms) {
            return found != null && lastTick >= found.timestamp() + ms;
        }
    }
}
