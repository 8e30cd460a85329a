package io.guestguard.host.supervisor;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.HostCommand;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exactly one runner per guest under random schedules, end to end: the packaged policy engine (a
 * real process with its host-loss detector), three simulated hosts with real supervisors, a fence
 * hook that powers a host's guests off, and a real broker. The schedule loses hosts (the supervisor
 * and its beats stop, the guests keep running, as on a hung host), brings them back, restarts
 * supervisors, and delivers host commands twice or late (an old command under a new id). A sampler
 * counts each guest's runners in {@code /proc} all along, whichever host started them.
 */
class FailoverSafetyTest {

    private static final List<String> HOSTS = List.of("h1", "h2", "h3");
    private static final List<String> GUESTS = List.of("g1", "g2", "g3", "g4");
    private static final int STEPS = 14;

    @TempDir
    Path dir;
    private EmbeddedKafka broker;
    private SimulatedFleet fleet;
    private Process engine;
    private final EventCodec codec = new EventCodec();

    @AfterEach
    void cleanUp() {
        if (engine != null) {
            engine.destroyForcibly();
        }
        if (fleet != null) {
            fleet.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void neverTwoRunnersAndEveryAutoRunGuestEndsRunning() throws Exception {
        long seed = Long.getLong("safety.seed", new Random().nextLong());
        Random random = new Random(seed);
        List<String> schedule = new ArrayList<>();
        broker = EmbeddedKafka.startTemporary(Topics.DEFAULT, 1);
        fleet = new SimulatedFleet(broker, dir);
        fleet.with("fence-command", fleet.fenceCommand());
        for (String h : HOSTS) {
            fleet.start(h);
            fleet.beating(h, true);
        }
        engine = startEngine();
        GUESTS.forEach(g -> fleet.fact(g, new PackageApplied(new PackageSpec(g, HOSTS, PackageSpec.FailoverPolicy.MIN_PACKAGE_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true,
                List.of(new PackageSpec.AppPolicy("app1", 3, null, PackageSpec.Backoff.NONE))))));

        Map<String, Integer> mostRunners = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                for (String g : GUESTS) {
                    int n = fleet.runners(g).size();
                    mostRunners.merge(g, n, Math::max);
                    if (n > 1) {
                        violations.add(Instant.now() + " " + g + " has " + n + " runners");
                    }
                }
            }
        }, "runner-sampler");
        sampler.setDaemon(true);
        sampler.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> GUESTS.stream().allMatch(g -> fleet.runners(g).size() == 1));

        Set<String> lost = new TreeSet<>();
        ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor();
        try (TopicReader commands = new TopicReader(broker.bootstrapServers(), fleet.topics.hostCommands())) {
            // The schedule's own pacing: each action is scheduled a random gap after the one before,
            // shorter and longer than the engine's 1 s host timeout; the test waits for the last.
            CompletableFuture<Void> played = new CompletableFuture<>();
            Runnable[] next = new Runnable[1];
            int[] steps = {0};
            next[0] = () -> {
                try {
                    act(random, lost, schedule, commands);
                    if (++steps[0] == STEPS) {
                        played.complete(null);
                    } else {
                        chaos.schedule(next[0], 200 + random.nextInt(1800), TimeUnit.MILLISECONDS);
                    }
                } catch (Throwable t) {
                    played.completeExceptionally(t);
                }
            };
            chaos.execute(next[0]);
            played.get(3, TimeUnit.MINUTES);
        } finally {
            chaos.shutdownNow();
        }
        for (String h : lost) {
            schedule.add("return " + h);
            fleet.start(h);
            fleet.beating(h, true);
        }

        String story = "seed " + seed + " (rerun with -Dsafety.seed=" + seed + "): " + String.join("; ", schedule);
        try {
            await(story).atMost(Duration.ofSeconds(90))
                    .until(() -> GUESTS.stream().allMatch(g -> fleet.runners(g).size() == 1));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            GUESTS.forEach(g -> System.out.println(g + " runners " + fleet.runners(g)));
            System.out.println(logs());
            throw e;
        }
        sampler.interrupt();
        sampler.join();
        System.out.println("safety schedule: " + story + "; most runners seen " + mostRunners);
        assertThat(violations).as(story).isEmpty();
        assertThat(mostRunners.values()).as(story).allMatch(n -> n <= 1);
    }

    /** One random action of the schedule: lose, return or restart a host, or resend an old command. */
    private void act(Random random, Set<String> lost, List<String> schedule, TopicReader commands) throws Exception {
        List<CloudEvent<?>> sent = commands.poll().stream().<CloudEvent<?>>map(r -> codec.decode(r.value())).toList();
        int action = random.nextInt(10);
        List<String> live = HOSTS.stream().filter(h -> !lost.contains(h)).toList();
        if (action < 3 && live.size() > 1) {
            // Mostly a host that runs guests: losing an empty one tests little.
            List<String> busy = live.stream().filter(x -> !fleet.host(x).inventory().isEmpty()).toList();
            List<String> pick = busy.isEmpty() || random.nextInt(4) == 0 ? live : busy;
            String h = pick.get(random.nextInt(pick.size()));
            schedule.add("lose " + h);
            fleet.beating(h, false);
            fleet.stop(h);
            lost.add(h);
        } else if (action < 5 && !lost.isEmpty()) {
            String h = lost.iterator().next();
            schedule.add("return " + h);
            fleet.start(h);
            fleet.beating(h, true);
            lost.remove(h);
        } else if (action < 7) {
            String h = live.get(random.nextInt(live.size()));
            schedule.add("restart supervisor " + h);
            fleet.beating(h, false);
            fleet.stop(h);
            fleet.start(h);
            fleet.beating(h, true);
        } else if (!sent.isEmpty()) {
            @SuppressWarnings("unchecked")
            CloudEvent<? extends HostCommand> old = (CloudEvent<? extends HostCommand>) sent.get(random.nextInt(sent.size()));
            if (action < 9) {
                schedule.add("duplicate " + old.id());
                fleet.resend(old);
            } else {
                schedule.add("deliver late " + old.type() + " " + old.data());
                fleet.resend(new CloudEvent<>("late-" + UUID.randomUUID(), old.source(), old.time(), old.guestId(),
                        null, old.hostId(), old.epoch(), old.data()));
            }
        }
    }

    /** What the engine, the supervisors and the detector wrote, in order per topic, for a failure's story. */
    private String logs() {
        StringBuilder out = new StringBuilder();
        try (TopicReader reader = new TopicReader(broker.bootstrapServers(), fleet.topics.guestLog(), fleet.topics.decisions())) {
            reader.pollNew(Duration.ofSeconds(2)).forEach(r -> {
                CloudEvent<?> e = codec.decode(r.value());
                out.append(e.time()).append(' ').append(r.topic()).append(' ').append(e.guestId()).append(" epoch ")
                        .append(e.epoch()).append(": ").append(e.data()).append('\n');
            });
        }
        return out.toString();
    }

    /** The packaged policy engine, as the local fleet runs it, on this test's topics; its log stays in target/. */
    private Process startEngine() throws Exception {
        Path jar = Path.of("../policy-engine/target/quarkus-app/quarkus-run.jar").toAbsolutePath().normalize();
        assertThat(jar).as("the packaged engine; build policy-engine first").exists();
        return new ProcessBuilder(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dkafka.bootstrap.servers=" + broker.bootstrapServers(),
                "-Dguestguard.topic-prefix=" + fleet.topics.prefix(),
                "-Dkafka-streams.state.dir=" + dir.resolve("engine-state"),
                "-jar", jar.toString()))
                .redirectErrorStream(true).redirectOutput(Path.of("target/failover-safety-engine.log").toFile()).start();
    }
}
