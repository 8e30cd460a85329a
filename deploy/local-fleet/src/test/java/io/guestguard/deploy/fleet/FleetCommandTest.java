package io.guestguard.deploy.fleet;

import io.guestguard.process.ProcessGroups;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * README command 1 as a user runs it: the fleet command in its own JVM prints where things are and a
 * live timeline; the engine starts the guests on primary; a kill by hand shows up and the
 * application comes back; a restart of a supervisor (SIGTERM) moves nothing, nor does a reporter's restart in place
 * (SIGUSR1); Ctrl-C (SIGINT) stops everything, guests included, leaving no process and
 * no port.
 */
class FleetCommandTest {

    private static final Pattern STARTED = Pattern.compile("g1/app1  started \\(pid (\\d+)\\)");
    private static final Pattern BROKER = Pattern.compile("broker +127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern G3_REPORTER = Pattern.compile("g3's reporter: pid (\\d+) on primary");
    private static final Pattern G3_APP2 = Pattern.compile("g3/app2  started \\(pid (\\d+)\\)");
    private static final Pattern PRIMARY_SUPERVISOR = Pattern.compile("host-supervisor primary +pid (\\d+)");

    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Test
    void runsPrintsTheTimelineRestartsAKilledAppAndStopsCleanlyOnCtrlC(@TempDir Path runDir) throws Exception {
        Process fleet = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FleetCommand.class.getName(),
                "--dir", runDir.toString(), "--home", System.getProperty("guestguard.home", "../.."))
                .redirectErrorStream(true).start();
        Thread reader = new Thread(() -> follow(fleet), "fleet-output");
        reader.start();
        try {
            long pid = await().atMost(Duration.ofSeconds(120)).until(() -> last(STARTED), Optional::isPresent).orElseThrow();
            int port = Integer.parseInt(last(BROKER).orElseThrow().toString());
            assertThat(lines).anySatisfy(l -> assertThat(l).matches("  policy-engine +pid \\d+, log .*"));
            assertThat(lines).anySatisfy(l -> assertThat(l).matches("  host-supervisor primary +pid \\d+, log .*"));
            assertThat(lines).anySatisfy(l -> assertThat(l).matches("  host-supervisor standby +pid \\d+, log .*"));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("log folder " + runDir.resolve("kafka")));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("./guestguard guest migrate --guest g2 --to standby"));
            assertThat(lines).anySatisfy(l -> assertThat(l).matches("  console +http://127\\.0\\.0\\.1:\\d+/ \\(the fleet, .*operator actions\\)"));
            assertThat(lines).as("the console's two users, printed under its URL")
                    .anySatisfy(l -> assertThat(l).matches(" +sign in as ops / \\S+ \\(operator: may act\\) or viewer / \\S+ \\(viewer\\); users in .*"));
            for (String guest : List.of("g1", "g2", "g3")) {
                await().atMost(Duration.ofSeconds(120)).until(() -> lines.stream().anyMatch(l -> l.contains(guest + "/app2  started (pid")));
            }
            assertThat(lines).anySatisfy(l -> assertThat(l).endsWith("g1  guest started on primary"));
            List<ProcessHandle> tree = fleet.toHandle().descendants().toList();
            // engine, 2 supervisors, 3 guest reporters with 2 applications each
            assertThat(tree).as("the fleet's processes").hasSizeGreaterThanOrEqualTo(12);

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream().anyMatch(l -> l.contains("g1/app1  failed (SIGKILL, pid " + pid + ")")));
            await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream().anyMatch(l -> l.contains("g1/app1  -> restart 1/2")));
            long newPid = await().atMost(Duration.ofSeconds(60)).until(() -> last(STARTED), p -> p.isPresent() && p.get() != pid).orElseThrow();
            assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive)).contains(true);
            List<ProcessHandle> all = new java.util.ArrayList<>(tree);
            fleet.toHandle().descendants().forEach(all::add);
            assertThat(all.stream().filter(p -> p.info().commandLine().orElse("").endsWith("sleep 86400")))
                    .as("every guest's app1 is among the fleet's processes").hasSizeGreaterThanOrEqualTo(3);

            // A restart of primary's supervisor (SIGTERM, as systemctl restart): its host is detached, the fleet
            // starts it again as systemd would, it finds its guests running, and nothing is fenced or moved.
            long supervisor = last(PRIMARY_SUPERVISOR).orElseThrow();
            new ProcessBuilder("kill", "-TERM", Long.toString(supervisor)).start().waitFor();
            await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream().anyMatch(l -> l.endsWith("host primary leaving (detached up to 10 min)")));
            await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream().anyMatch(l -> l.startsWith("host-supervisor primary stopped")
                    && l.contains("started again")));
            await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream().anyMatch(l -> l.contains("host primary beats again")));
            assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive)).as("g1/app1 runs on, the same process").contains(true);
            assertThat(lines).noneMatch(l -> l.contains("host primary lost") || l.contains("-> fence") || l.contains("-> fail over"));
            fleet.toHandle().descendants().forEach(all::add);

            // An upgrade of g3's reporter by hand (SIGUSR1, restart in place): the guest's init starts a new
            // reporter, whose pid is printed, and it adopts g3's applications, which keep their pids.
            long reporter = last(G3_REPORTER).orElseThrow();
            long g3app2 = last(G3_APP2).orElseThrow();
            new ProcessBuilder("kill", "-USR1", Long.toString(reporter)).start().waitFor();
            long newReporter = await().atMost(Duration.ofSeconds(60)).until(() -> last(G3_REPORTER),
                    p -> p.isPresent() && p.get() != reporter).orElseThrow();
            await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream().filter(l -> l.endsWith("g3/app2  started (pid "
                    + g3app2 + ")")).count() == 2);
            assertThat(ProcessHandle.of(g3app2).map(ProcessHandle::isAlive)).as("g3/app2 runs on, the same process").contains(true);
            assertThat(lines).noneMatch(l -> l.contains("g3/app2  stopped") || l.contains("g3/app2  failed"));
            ProcessHandle.of(newReporter).ifPresent(all::add);
            fleet.toHandle().descendants().forEach(all::add);

            // Ctrl-C, unless this test runs where SIGINT is ignored (a background job of a shell): the
            // fleet's JVM then inherits that, and SIGTERM takes the same way out (its shutdown hook).
            String signal = ignoresSigint(fleet.pid()) ? "-TERM" : "-INT";
            new ProcessBuilder("kill", signal, Long.toString(fleet.pid())).start().waitFor();

            boolean exited = fleet.waitFor(90, TimeUnit.SECONDS);
            assertThat(exited).as("the fleet exits on Ctrl-C; it printed last:\n%s",
                    String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()))).isTrue();
            reader.join(10_000);
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("stopped: no GuestGuard process left"));
            // A zombie is dead, whoever reaps it (this machine's PID 1 reaps orphans slowly).
            assertThat(all).as("no stray process").noneMatch(p -> ProcessGroups.alive(p.pid()));
            assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 500))
                    .as("no port held").isInstanceOf(java.io.IOException.class);
        } finally {
            fleet.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            fleet.destroyForcibly();
        }
    }

    /** Whether the process was started with SIGINT ignored (bit 2 of SigIgn in /proc/PID/status). */
    private static boolean ignoresSigint(long pid) throws java.io.IOException {
        String mask = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).findFirst().orElseThrow().substring("SigIgn:".length()).strip();
        return (Long.parseUnsignedLong(mask, 16) & (1L << 1)) != 0;
    }

    private Optional<Long> last(Pattern pattern) {
        Long found = null;
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                found = Long.parseLong(m.group(1));
            }
        }
        return Optional.ofNullable(found);
    }

    private void follow(Process process) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (java.io.IOException e) {
            // the process ended
        }
    }
}
