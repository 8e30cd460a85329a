package io.guestguard.deploy.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One GuestGuard service running as its own JVM ({@code java -jar .../quarkus-run.jar}), its output
 * in a log file. Closing it asks politely (SIGTERM, so the service stops its own children and says
 * so), then kills what is left of its process tree.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final long GRACE_SECONDS = 15;
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final int LOG_TAIL = 30;
    private static final Pattern LISTENING = Pattern.compile("Listening on: https?://[^ ]*:(\\d+)");

    private final String name;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts the packaged Quarkus application {@code jar} with {@code properties} as {@code -D} flags. */
    public static ServiceProcess start(String name, Path jar, Map<String, String> properties, Path log) {
        return start(name, jar, List.of("-XX:+UseSerialGC"), properties, log);
    }

    /** Starts {@code jar} with the given JVM options and {@code properties} as {@code -D} flags. */
    public static ServiceProcess start(String name, Path jar, List<String> jvmOptions, Map<String, String> properties,
                                       Path log) {
        return start(name, List.of(), jar, jvmOptions, properties, log);
    }

    /** As {@link #start(String, Path, List, Map, Path)}, the JVM run by {@code launcher} (e.g. {@code nice -n 10}). */
    public static ServiceProcess start(String name, List<String> launcher, Path jar, List<String> jvmOptions,
                                       Map<String, String> properties, Path log) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build first with ./mvnw -DskipTests install");
        }
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // Its own session: a Ctrl-C in the terminal reaches the fleet launcher only, which then
            // stops the services in order, instead of killing every application at once.
            command.add(SETSID.toString());
        }
        command.addAll(launcher);
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new ServiceProcess(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its exit status once it has exited (128 + the signal's number when a signal ended it); empty while it runs. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /**
     * The error to raise when this service has exited while it should run: its exit code and the end
     * of its log, so a failure seen only in CI says why without the run directory.
     */
    public IllegalStateException exited() {
        String code = exitCode().stream().mapToObj(c -> "exit code " + c).findFirst().orElse("still running");
        return new IllegalStateException(name + " exited (" + code + "); see " + log + "; its last lines:\n"
                + String.join("\n", lastLines(LOG_TAIL)));
    }

    /** The port its HTTP server listens on, as Quarkus logs it once started ("Listening on: http://…:PORT"). */
    public OptionalInt httpPort() {
        try (var lines = Files.lines(log)) {
            return lines.map(LISTENING::matcher).filter(Matcher::find).mapToInt(m -> Integer.parseInt(m.group(1))).findFirst();
        } catch (IOException | UncheckedIOException e) {
            return OptionalInt.empty();
        }
    }

    private List<String> lastLines(int count) {
        try {
            List<String> all = Files.readAllLines(log);
            return all.subList(Math.max(0, all.size() - count), all.size());
        } catch (IOException | UncheckedIOException e) {
            return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
        }
    }

    /** This service and everything it started, as far as the OS still knows them. */
    public List<ProcessHandle> processTree() {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        process.toHandle().descendants().forEach(tree::add);
        return tree;
    }

    /**
     * Stops this process only (SIGTERM, SIGKILL after the grace) and leaves what it started running:
     * a host supervisor's guests outlive it by design.
     */
    public void terminate() {
        process.destroy();
        try {
            if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                saySlowStop();
                crash();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** SIGKILL to this process only, as a crash or a hung host leaves it; returns once it is gone. */
    public void crash() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL for " + GRACE_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> tree = processTree();
        process.destroy();
        try {
            if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                saySlowStop();
                process.destroyForcibly();
                process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        // Whatever outlived its parent (an application the service could not stop) goes too.
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** A service that ignores SIGTERM makes a fleet's stop slow: say which, and where its log is. */
    private void saySlowStop() {
        System.err.printf("%s (pid %d) did not stop within %d s of SIGTERM: SIGKILL; its log: %s%n", name, pid(),
                GRACE_SECONDS, log);
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
