package io.guestguard.reporter.app;

import io.guestguard.process.ProcessGroups;

import io.guestguard.reporter.config.ActionTimeouts;
import io.guestguard.reporter.config.ExecApp;
import io.guestguard.reporter.config.GuestFileLoader;
import io.guestguard.reporter.config.OcfAgent;
import io.guestguard.reporter.config.OcfApp;
import io.guestguard.reporter.config.ProbeSpec;
import io.guestguard.reporter.config.ScriptApp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Short-timed application specs for tests, and process helpers. */
final class Apps {

    static final ActionTimeouts FAST = new ActionTimeouts(Duration.ofMillis(100), Duration.ofSeconds(5),
            Duration.ofSeconds(20), Duration.ofSeconds(20));

    private Apps() {
    }

    static ExecApp exec(String name, String command, ProbeSpec... probes) {
        return new ExecApp(name, command, Duration.ofMillis(500), List.of(probes));
    }

    static ScriptApp script(String name, String start, String stop, String monitor, ActionTimeouts timeouts) {
        return new ScriptApp(name, start, stop, monitor, timeouts, List.of());
    }

    static OcfApp ocf(String name, String type, Map<String, String> params, ProbeSpec... probes) {
        return new OcfApp(name, new OcfAgent(GuestFileLoader.DEFAULT_OCF_ROOT, "heartbeat", type), params, FAST, List.of(probes));
    }

    static ProbeSpec probe(ProbeSpec.Target target, int threshold) {
        return new ProbeSpec(target, Duration.ofMillis(100), Duration.ofMillis(500), threshold, Duration.ZERO);
    }

    static boolean alive(long pid) {
        return ProcessGroups.alive(pid);
    }

    /** The pid in {@code file}, once something wrote it. */
    static long pidIn(Path file) {
        return org.awaitility.Awaitility.await("a pid in " + file).atMost(Recorder.DEADLINE)
                .until(() -> read(file), s -> s.matches("\\d+\\s*")).strip().transform(Long::parseLong);
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
