package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.HostLost;
import io.guestguard.protocol.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, point 7: a broker pause is not a host loss. The broker under the packaged engine and two
 * beating hosts is stopped for 2 s, then for 8 s, and started again each time: while it is away
 * nobody can beat, and afterwards the hosts' clients and the engine's come back in any order. No
 * host may be judged lost for it; and afterwards a host that really stops beating still is.
 */
class BrokerPauseTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../.."));

    private final Topics topics = Topics.DEFAULT;

    @Test
    void aBrokerPauseOfSecondsMakesNoHostLost(@TempDir Path dir) throws Exception {
        ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor();
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(topics, 3);
             ServiceProcess engine = ServiceProcess.start("policy-engine", HOME.resolve("policy-engine/target/quarkus-app/quarkus-run.jar"),
                     Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                             "kafka-streams.state.dir", dir.resolve("engine-state").toString()), dir.resolve("engine.log"));
             Timeline timeline = new Timeline(kafka.bootstrapServers(), topics, new PrintStream(PrintStream.nullOutputStream()));
             FleetKeys keys = FleetKeys.create(dir.resolve("keys"), kafka.bootstrapServers(), topics);
             SyntheticHosts hosts = new SyntheticHosts(timeline, kafka.bootstrapServers(), topics, keys)) {
            timeline.start();
            hosts.beat("h1");
            hosts.beat("h2");
            hosts.place("ga", "h1", "h2");
            hosts.place("gb", "h2", "h1");

            for (Duration outage : List.of(Duration.ofSeconds(2), Duration.ofSeconds(8))) {
                kafka.stop();
                chaos.schedule(() -> kafka.restart(), outage.toMillis(), TimeUnit.MILLISECONDS);
                await().atMost(outage.plusSeconds(60)).until(kafka::isRunning);
                // The pause's hold (one timeout) and a timeout more, with room: what a false loss needs, it had.
                await("no host lost after a pause of " + outage).during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                        .until(() -> hosts.losses().isEmpty());
                assertThat(engine.isAlive()).as("the engine after a pause of " + outage).isTrue();
            }
            assertThat(hosts.fences()).isEmpty();

            hosts.stop("h1");
            await().atMost(Duration.ofSeconds(30)).until(() -> !hosts.losses().isEmpty());
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> hosts.losses().stream()
                    .allMatch(l -> l.guestId().equals("ga") && l.data().equals(new HostLost("h1"))));
        } finally {
            chaos.shutdownNow();
        }
    }
}
