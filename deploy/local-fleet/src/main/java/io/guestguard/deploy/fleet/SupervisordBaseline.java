package io.guestguard.deploy.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The baseline the crash benchmark compares GuestGuard with, in the same run: Debian's supervisord
 * running the same kind of application as g1/app1 ({@code autorestart=true}, {@code startsecs=0}),
 * killed the same way (SIGKILL from the harness), its replacement timed the same way: by the time its
 * supervisor stamped right after spawning it (supervisord's {@code spawned: 'app1' with pid N} log
 * line, to the millisecond, where GuestGuard's reporter stamps its {@code app.started} fact).
 */
final class SupervisordBaseline implements AutoCloseable {

    private static final String PROGRAM = "app1";
    private static final Pattern SPAWNED = Pattern.compile(
            "^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}) INFO spawned: '" + PROGRAM + "' with pid (\\d+)$");
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(30);

    private final Process supervisord;
    private final Path log;

    private SupervisordBaseline(Process supervisord, Path log) {
        this.supervisord = supervisord;
        this.log = log;
    }

    /** The supervisord executable on the PATH, if Debian's {@code supervisor} package is installed. */
    static Optional<Path> executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, "supervisord");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Starts supervisord in {@code dir} with one program, {@code command}, and waits for its first pid. */
    static SupervisordBaseline start(Path executable, Path dir, String command) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path log = dir.resolve("supervisord.log");
        Path conf = dir.resolve("supervisord.conf");
        Files.writeString(conf, String.join("\n",
                "[supervisord]",
                "nodaemon=true",
                "logfile=" + log,
                "pidfile=" + dir.resolve("supervisord.pid"),
                "childlogdir=" + dir,
                "loglevel=info",
                "",
                "[program:" + PROGRAM + "]",
                "command=" + command,
                "autorestart=true",
                "startsecs=0",
                "stopasgroup=true",
                "killasgroup=true",
                ""), StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(executable.toString(), "-n", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("supervisord.out").toFile()).start();
        SupervisordBaseline baseline = new SupervisordBaseline(process, log);
        try {
            baseline.replacementOf(0);
        } catch (RuntimeException | InterruptedException e) {
            baseline.close();
            throw e;
        }
        return baseline;
    }

    /** Kills the program {@code warmup + kills} times and returns the kill → new pid latencies of the last {@code kills}. */
    RestartBenchmark.Result run(int warmup, int kills) throws IOException, InterruptedException {
        List<Long> micros = new ArrayList<>();
        long pid = replacementOf(0).pid();
        for (int i = 0; i < warmup + kills; i++) {
            Instant killed = Instant.now();
            long victim = pid;
            ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
            Spawned spawned = replacementOf(victim);
            pid = spawned.pid();
            if (i >= warmup) {
                micros.add(Duration.between(killed, spawned.time()).toNanos() / 1000);
            }
        }
        Collections.sort(micros);
        return new RestartBenchmark.Result(List.copyOf(micros));
    }

    private record Spawned(long pid, Instant time) {
    }

    /** Waits for the program's instance that is not {@code notPid}, and reads when supervisord spawned it. */
    private Spawned replacementOf(long notPid) throws InterruptedException {
        long deadline = System.nanoTime() + RESTART_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!supervisord.isAlive()) {
                throw new IllegalStateException("supervisord exited (status " + supervisord.exitValue() + "); see " + log);
            }
            Optional<Spawned> spawned = lastSpawned().filter(s -> s.pid() != notPid);
            if (spawned.isPresent()) {
                return spawned.get();
            }
            Thread.sleep(5); // polling supervisord's log; the deadline bounds it
        }
        throw new IllegalStateException("supervisord did not start " + PROGRAM + " again within " + RESTART_TIMEOUT + "; see " + log);
    }

    private Optional<Spawned> lastSpawned() {
        List<String> lines;
        try {
            lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return Optional.empty(); // read again on the next poll
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = SPAWNED.matcher(lines.get(i));
            if (m.matches()) {
                // supervisord writes its log in the machine's local time
                Instant time = LocalDateTime.parse(m.group(1), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant();
                return Optional.of(new Spawned(Long.parseLong(m.group(2)), time));
            }
        }
        return Optional.empty();
    }

    /** supervisord and what runs under it now. */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>(List.of(supervisord.toHandle()));
        supervisord.descendants().forEach(all::add);
        return all;
    }

    /** Stops supervisord (SIGTERM: it stops its program first), forcibly with its children if it does not exit. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = supervisord.descendants().toList();
        supervisord.destroy();
        if (!supervisord.waitFor(10, TimeUnit.SECONDS)) {
            supervisord.destroyForcibly();
            supervisord.waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
