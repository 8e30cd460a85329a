package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12 on the packaged engine and migration watcher: 300,000 well-formed guest beats written in
 * a few seconds (what 10,000 guests send in 30 s) once made the engine's host-loss detector take
 * both of two beating hosts for lost and fence them. Now no host may be lost by it; and a host that
 * really stops beating in the middle of such a storm is still judged lost within its timeout (1 s)
 * and the detector's stated bound, on the broker's clock.
 */
class GuestBeatStormTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../.."));
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /**
     * docs/architecture.md, Host loss: a check interval, the tick's way through a commit and back, and
     * what a stall of the engine adds; at most the storm benchmark's target for the decision that
     * follows, 2 s after the last beat (docs/benchmarks.md). 500 ms was once exceeded by 29 ms in CI,
     * the engine sharing two cores with the storm's writer, the broker and the watcher: how fast it is,
     * the benchmark reports.
     */
    private static final Duration BOUND = Duration.ofSeconds(1);
    private static final int GUESTS = 10_000;
    private static final int BEATS = 30;

    private final Topics topics = Topics.DEFAULT;

    @Test
    void aStormOfGuestBeatsMakesNoHostLostAndARealLossIsStillSeenInTime(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(topics, 3);
             ServiceProcess engine = ServiceProcess.start("policy-engine", HOME.resolve("policy-engine/target/quarkus-app/quarkus-run.jar"),
                     Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                             "kafka-streams.state.dir", dir.resolve("engine-state").toString()), dir.resolve("engine.log"));
             ServiceProcess watcher = ServiceProcess.start("migration-watcher",
                     HOME.resolve("migration-watcher/target/quarkus-app/quarkus-run.jar"), LocalFleet.SUPERVISOR_JVM,
                     Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                             "kafka-streams.state.dir", dir.resolve("watcher-state").toString(),
                             "quarkus.http.port", "0"), dir.resolve("watcher.log"));
             Timeline timeline = new Timeline(kafka.bootstrapServers(), topics, new PrintStream(PrintStream.nullOutputStream()));
             FleetKeys keys = FleetKeys.create(dir.resolve("keys"), kafka.bootstrapServers(), topics);
             SyntheticHosts hosts = new SyntheticHosts(timeline, kafka.bootstrapServers(), topics, keys)) {
            timeline.start();
            hosts.beat("h1");
            hosts.beat("h2");
            hosts.place("ga", "h1", "h2");
            hosts.place("gb", "h2", "h1");
            GuestBeatStorm storm = new GuestBeatStorm(kafka.bootstrapServers(), topics);

            GuestBeatStorm.Result first = storm.write(GUESTS, BEATS);
            assertThat(first.records()).isEqualTo(300_000);
            System.out.println("storm 1: " + first.summary());
            // Until the watcher has read every beat, and a timeout and more after: what the engine
            // would have judged by, it has had time to judge.
            await().atMost(Duration.ofMinutes(3)).until(() -> GroupLag.of(kafka.bootstrapServers(),
                    "guestguard-migration-watcher", topics.heartbeats()) == 0);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> hosts.losses().isEmpty());
            assertThat(hosts.fences()).as("fences").isEmpty();

            CompletableFuture<GuestBeatStorm.Result> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return storm.write(GUESTS, BEATS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> GroupLag.of(kafka.bootstrapServers(),
                    "guestguard-migration-watcher", topics.heartbeats()) > 50_000); // well into the storm
            Instant lastBeat = hosts.stop("h1");
            CloudEvent<?> lost = await().atMost(Duration.ofSeconds(30)).until(
                    () -> hosts.losses().stream().filter(l -> "ga".equals(l.guestId())).findFirst().orElse(null), l -> l != null);
            System.out.println("storm 2: " + second.get().summary() + "; h1 judged lost " + Duration.between(lastBeat, lost.time()).toMillis()
                    + " ms after its last beat (broker clock)");

            assertThat(lost.data()).isEqualTo(new HostLost("h1"));
            assertThat(Duration.between(lastBeat, lost.time())).as("from h1's last beat to the tick that judged it")
                    .isBetween(TIMEOUT, TIMEOUT.plus(BOUND));
            await().atMost(Duration.ofMinutes(3)).until(() -> GroupLag.of(kafka.bootstrapServers(),
                    "guestguard-migration-watcher", topics.heartbeats()) == 0);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> hosts.losses().stream()
                    .allMatch(l -> l.data().equals(new HostLost("h1"))));
            assertThat(hosts.fences()).as("only h1 fenced").allSatisfy(f -> assertThat(f.guestId()).isEqualTo("ga"));
            assertThat(engine.isAlive()).isTrue();
            assertThat(watcher.isAlive()).isTrue();
        }
    }
}
