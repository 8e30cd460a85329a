package io.guestguard.deploy.fleet;

import io.guestguard.process.ProcessGroups;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./fleet demo} as a user runs it, in its own JVM on the two-host fleet: Figure 16 of the
 * Serviceguard white paper. app1 is restarted in place up to its service_restart (2), its next
 * failure fails g1 over from primary to standby, and the new reporter on standby starts app1 again.
 * The play's timeline must show that sequence in that order, and the fleet must leave nothing behind.
 */
class FleetDemoTest {

    @Test
    void playsFigure16RestartsUntilTheLimitThenFailsOverToTheStandby(@TempDir Path runDir) throws Exception {
        Path output = runDir.resolve("demo.out");
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FleetCommand.class.getName(),
                "--dir", runDir.resolve("run").toString(), "--home", System.getProperty("guestguard.home", "../.."),
                "--restart-limit", "2", "demo", "--timeout", "240")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        try {
            // The play's deadline is the demo's own --timeout; this one only guards against a hang.
            long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!demo.waitFor(1, TimeUnit.SECONDS)) {
                demo.toHandle().descendants().forEach(tree::add); // to check that none outlives the demo
                assertThat(System.nanoTime()).as("the demo ends within its --timeout").isLessThan(guard);
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(demo.exitValue()).as(printed).isZero();

            List<String> play = play(printed);
            assertThat(inOrder(play,
                    "demo: kill -9 ", "g1/app1  failed (SIGKILL", "g1/app1  -> restart 1/2", "g1/app1  started (pid",
                    "demo: kill -9 ", "g1/app1  failed (SIGKILL", "g1/app1  -> restart 2/2", "g1/app1  started (pid",
                    "demo: kill -9 ", "g1/app1  failed (SIGKILL", "g1/app1  -> fail over primary -> standby",
                    "g1  guest halted on primary", "g1  -> start on standby", "g1  guest started on standby",
                    "g1/app1  started (pid"))
                    .as(printed).isTrue();
            assertThat(play).as("no third restart").noneMatch(l -> l.contains("restart 3/"));
            assertThat(printed).contains("summary: g1/app1 killed 3 times: restarted in place 2 times (attempts 1, 2), "
                    + "then its restart limit was exceeded and g1 failed over from primary to standby");
            Matcher failover = Pattern.compile("app1 running again on standby \\(pid (\\d+)\\) in (\\d+) ms").matcher(printed);
            assertThat(failover.find()).as(printed).isTrue();
            assertThat(Long.parseLong(failover.group(2))).as("failover time").isPositive();
            assertThat(printed).contains("stopping the fleet ...");
            // A zombie is dead, whoever reaps it (this machine's PID 1 reaps orphans slowly).
            assertThat(tree).as("the demo's fleet leaves no process behind").noneMatch(p -> ProcessGroups.alive(p.pid()));
        } finally {
            demo.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }

    /** The lines of the play's timeline: "+  1.234  TEXT" -> TEXT. */
    private static List<String> play(String printed) {
        List<String> lines = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^  \\+ *\\d+\\.\\d{3}  (.*)$").matcher(printed);
        while (m.find()) {
            lines.add(m.group(1));
        }
        return lines;
    }

    /** Whether {@code lines} hold a line containing each of {@code expected}, in that order. */
    private static boolean inOrder(List<String> lines, String... expected) {
        int i = 0;
        for (String line : lines) {
            if (i < expected.length && line.contains(expected[i])) {
                i++;
            }
        }
        return i == expected.length;
    }
}
