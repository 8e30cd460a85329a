package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.ReporterStarted;
import io.guestguard.protocol.Topics;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The packaged guest reporter's footprint, as a guest pays for it: the time from launching the JVM
 * until its {@code reporter.started} fact and every application's {@code app.started} fact are on
 * the broker, and its resident memory (VmRSS from /proc) once it has run for a while. Measured for
 * the JVM's full compilers with the serial collector and for the lean flags of the systemd unit under
 * deploy/systemd, which the local fleet's reporters run with.
 */
final class ReporterFootprint {

    /** The flags of deploy/systemd/guestguard-reporter.service. */
    static final List<String> LEAN = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx64m",
            "-XX:MaxMetaspaceSize=96m");
    static final List<String> TIERED = List.of("-XX:+UseSerialGC");
    private static final int APPS = 2;

    record Run(String flags, long readyMs, long allAppsMs, long rssKiB, long peakKiB, int threads) {
    }

    private final Path home;
    private final Path workDir;
    private final PrintStream out;

    ReporterFootprint(Path home, Path workDir, PrintStream out) {
        this.home = home;
        this.workDir = workDir;
        this.out = out;
    }

    /** Starts a broker, then {@code runs} reporters one after the other with each set of flags. */
    List<Run> measure(int runs, Duration settle) throws InterruptedException {
        Topics topics = Topics.DEFAULT;
        List<Run> results = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(workDir.resolve("kafka"), true, topics, 3);
             Timeline timeline = new Timeline(kafka.bootstrapServers(), topics, new PrintStream(PrintStream.nullOutputStream()))) {
            BlockingQueue<CloudEvent<?>> facts = new LinkedBlockingQueue<>();
            timeline.addListener(facts::add);
            timeline.start();
            int n = 0;
            for (int i = 0; i < runs; i++) {
                for (var flags : List.of(Map.entry("tiered", TIERED), Map.entry("lean", LEAN))) {
                    Run run = once("fp" + n++, flags.getKey(), flags.getValue(), kafka.bootstrapServers(), facts, settle);
                    out.printf(Locale.ROOT, "  %-6s ready %5d ms, all apps %5d ms, RSS %6.1f MiB (peak %6.1f), %d threads%n",
                            run.flags(), run.readyMs(), run.allAppsMs(), run.rssKiB() / 1024.0, run.peakKiB() / 1024.0, run.threads());
                    results.add(run);
                }
            }
        }
        return results;
    }

    private Run once(String guest, String flagsName, List<String> flags, String servers, BlockingQueue<CloudEvent<?>> facts,
                     Duration settle) throws InterruptedException {
        Path guestFile = writeGuest(guest);
        facts.clear();
        long launched = System.nanoTime();
        try (ServiceProcess reporter = ServiceProcess.start("guest-reporter " + guest,
                home.resolve("guest-reporter/target/quarkus-app/quarkus-run.jar"), flags,
                Map.of("kafka.bootstrap.servers", servers, "guestguard.reporter.config-file", guestFile.toString(),
                        "quarkus.http.port", "0"),
                workDir.resolve("logs/" + guest + ".log"))) {
            long readyMs = -1;
            int appsStarted = 0;
            long allAppsMs = -1;
            long deadline = launched + TimeUnit.SECONDS.toNanos(60);
            while (allAppsMs < 0 || readyMs < 0) {
                CloudEvent<?> fact = facts.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (fact == null) {
                    throw new IllegalStateException("reporter " + guest + " did not report within 60 s; see " + reporter.log());
                }
                if (!guest.equals(fact.guestId())) {
                    continue;
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launched);
                if (fact.data() instanceof ReporterStarted) {
                    readyMs = ms;
                } else if (fact.data() instanceof AppStarted && ++appsStarted == APPS) {
                    allAppsMs = ms;
                }
            }
            // Let it run (heartbeats, JIT, GC) before reading its memory; the wait is the measurement's design.
            Thread.sleep(settle.toMillis());
            Map<String, Long> status = procStatus(reporter.pid());
            return new Run(flagsName, readyMs, allAppsMs, status.get("VmRSS"), status.get("VmHWM"),
                    status.get("Threads").intValue());
        }
    }

    private Path writeGuest(String guest) {
        Path file = workDir.resolve(guest + ".yaml");
        try {
            Files.createDirectories(workDir);
            Files.writeString(file, """
                    guest: %s
                    state_dir: %s-state
                    applications:
                      - name: app1
                        command: sleep 86400
                      - name: app2
                        command: tail -f /dev/null
                    """.formatted(guest, guest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** VmRSS, VmHWM (kB) and Threads of a process, from /proc/PID/status. */
    static Map<String, Long> procStatus(long pid) {
        try {
            Map<String, Long> values = new java.util.HashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                String[] parts = line.split(":\\s+");
                if (parts.length == 2 && List.of("VmRSS", "VmHWM", "Threads").contains(parts[0])) {
                    values.put(parts[0], Long.parseLong(parts[1].replace(" kB", "").trim()));
                }
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the status of process " + pid, e);
        }
    }

    /** Median of each figure per flag set, as one line. */
    static String summary(List<Run> runs) {
        StringBuilder line = new StringBuilder("result:");
        for (String flags : List.of("tiered", "lean")) {
            List<Run> of = runs.stream().filter(r -> r.flags().equals(flags)).toList();
            line.append(String.format(Locale.ROOT, " %s: ready p50 %d ms, all apps p50 %d ms, RSS p50 %.1f MiB;", flags,
                    median(of.stream().map(Run::readyMs).toList()), median(of.stream().map(Run::allAppsMs).toList()),
                    median(of.stream().map(Run::rssKiB).toList()) / 1024.0));
        }
        return line.toString();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get((sorted.size() - 1) / 2);
    }
}
