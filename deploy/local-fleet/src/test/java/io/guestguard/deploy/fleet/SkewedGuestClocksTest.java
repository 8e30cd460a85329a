package io.guestguard.deploy.fleet;

import io.guestguard.cli.GuestGuardCommand;
import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Decision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13 on the local fleet with real skewed clocks: g1's reporter runs two hours behind, g2's two
 * hours ahead (Debian's faketime), and g3's clock jumps an hour ahead between its first two failures.
 * Figure 16 is played on the three at once (app1's service_restart is 2, its failure window 10 min):
 * each ends exactly as with a true clock, restart 1/2, 2/2, then the guest fails over to standby; the
 * decisions record each writer's skew next to their decision time; and {@code guestguard replay
 * --verify} over the fleet's log finds 0 differences.
 */
class SkewedGuestClocksTest {

    private static final Path HOME = Path.of(System.getProperty("guestguard.home", "../..")).toAbsolutePath().normalize();
    private static final Duration PLAY = Duration.ofSeconds(150);

    @Test
    void figure16EndsAsWithATrueClockTwoHoursBehindTwoHoursAheadAndAcrossAJump(@TempDir Path runDir) throws Exception {
        LocalFleet.Options options = LocalFleet.Options.DEFAULT.withGuestClock("g1", "-2h").withGuestClock("g2", "+2h")
                .withGuestClock("g3", "+0");
        try (BenchFleet bench = BenchFleet.twoHosts(HOME, runDir.resolve("run"), "2", options)) {
            Observed observed = new Observed(bench.timeline());
            bench.ready();
            Map<String, ByteArrayOutputStream> printed = new LinkedHashMap<>();
            Map<String, CompletableFuture<Figure16Demo.Result>> plays = new LinkedHashMap<>();
            for (String guest : List.of("g1", "g2", "g3")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                printed.put(guest, out);
                // g3's clock jumps an hour ahead after its first failure, before the second.
                Figure16Demo demo = new Figure16Demo(observed, guest, "app1", new PrintStream(out, true, StandardCharsets.UTF_8),
                        kill -> {
                            if (guest.equals("g3") && kill == 2) {
                                jump(bench.fleet(), "g3", "+1h");
                            }
                        });
                plays.put(guest, CompletableFuture.supplyAsync(() -> {
                    try {
                        return demo.play(PLAY);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (var play : plays.entrySet()) {
                Figure16Demo.Result result = play.getValue().get(PLAY.toSeconds() + 30, TimeUnit.SECONDS);
                String guest = play.getKey();
                String story = printed.get(guest).toString(StandardCharsets.UTF_8);
                assertThat(result.attempts()).as("%s: restart 1/2, 2/2, then fail over%n%s", guest, story).containsExactly(1, 2);
                assertThat(result.kills()).as(story).isEqualTo(3);
            }

            assertThat(skewsOfRestarts(observed, "g1")).allSatisfy(skew -> assertThat(skew).isCloseTo(-7200, within()));
            assertThat(skewsOfRestarts(observed, "g2")).allSatisfy(skew -> assertThat(skew).isCloseTo(7200, within()));
            List<Long> jumped = skewsOfRestarts(observed, "g3");
            assertThat(jumped.get(0)).as("g3 before its jump").isCloseTo(0, within());
            assertThat(jumped.get(1)).as("g3 after its jump").isCloseTo(3600, within());
            assertThat(printed.get("g1").toString(StandardCharsets.UTF_8)).as("the play shows the skew next to the decision")
                    .contains("-> restart 1/2  [fact stamped ", " h 0 min behind]");

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = new CommandLine(new GuestGuardCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute("replay", "--verify", "--bootstrap-servers", bench.fleet().bootstrapServers());
            assertThat(exit).as(out + "\n" + err).isZero();
            assertThat(out.toString()).containsPattern("\\d+ decisions, 0 differences");
        }
    }

    /**
     * Moves {@code guest}'s clock to {@code offset} and waits until its reporter stamps with it (its
     * beats, once a second, carry its clock's time).
     */
    private static void jump(LocalFleet fleet, String guest, String offset) {
        fleet.setGuestClock(guest, offset);
        EventCodec codec = new EventCodec();
        try (TopicReader beats = new TopicReader(fleet.bootstrapServers(), fleet.topics().heartbeats())) {
            await("a beat of " + guest + " stamped by its moved clock").atMost(Duration.ofSeconds(30)).until(() ->
                    beats.pollNew(Duration.ofMillis(200)).stream().filter(r -> guest.equals(r.key()))
                            .map(r -> codec.decode(r.value()).time())
                            .anyMatch(t -> t.isAfter(Instant.now().plus(Duration.ofMinutes(50)))));
        }
    }

    /** For each restart of {@code guest}'s app1: its fact's own time minus its decision time, in seconds. */
    private static List<Long> skewsOfRestarts(Observed observed, String guest) {
        return observed.all(e -> guest.equals(e.guestId()) && e.data() instanceof Decision d
                        && d.action() == Decision.Action.RESTART_APP).stream()
                .map(Observed.Seen::event)
                .map(e -> Duration.between(e.time(), ((Decision) e.data()).factTime()).toSeconds()).toList();
    }

    private static org.assertj.core.data.Offset<Long> within() {
        return org.assertj.core.data.Offset.offset(60L);
    }
}
