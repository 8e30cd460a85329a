package io.guestguard.reporter.app.run;

import io.guestguard.process.ProcessGroups;
import io.guestguard.protocol.Durations;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Runs one action (a start, stop or monitor) to completion in its own session and process group,
 * so that when it overruns its timeout the whole group, whatever it forked included, is killed.
 * Waits for the action's exit, not for the end of its output: a start that leaves a daemon behind
 * returns as soon as the action itself exits.
 */
final class ActionProcess {

    /** How an action ended. */
    record Outcome(Integer exitCode, Duration timedOutAfter, String unrunnable) {

        boolean exited(int code) {
            return exitCode != null && exitCode == code;
        }

        /** What happened, in words: {@code exit 3}, {@code OCF_NOT_RUNNING (7)}, {@code timed out after 5s}. */
        String describe(IntFunction<String> exitCodes) {
            if (exitCode != null) {
                return exitCodes.apply(exitCode);
            }
            return timedOutAfter != null ? "timed out after " + Durations.format(timedOutAfter.toMillis()) : "cannot run: " + unrunnable;
        }
    }

    private ActionProcess() {
    }

    /** Runs {@code setsid COMMAND...} with {@code environment} added, output appended to {@code log}. */
    static Outcome run(List<String> command, Map<String, String> environment, Duration timeout, Path log) {
        List<String> argv = new ArrayList<>();
        argv.add("setsid");
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(Redirect.from(new File("/dev/null")))
                .redirectOutput(Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process;
        try {
            Files.createDirectories(log.getParent());
            process = builder.start();
        } catch (IOException e) {
            return new Outcome(null, null, e.getMessage());
        }
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return new Outcome(process.exitValue(), null, null);
            }
            ProcessGroups.kill(process.pid());
            return new Outcome(null, timeout, null);
        } catch (InterruptedException e) {
            ProcessGroups.signal(process.pid(), "KILL");
            Thread.currentThread().interrupt();
            return new Outcome(null, null, "interrupted, as the reporter is shutting down");
        }
    }
}
