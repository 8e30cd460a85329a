package io.guestguard.reporter.app.run;

import io.guestguard.reporter.config.ScriptApp;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs a script application's command lines, each as {@code setsid /bin/sh -c LINE}; exit 0 is success. */
final class ScriptRunner extends ActionRunner {

    private final ScriptApp spec;

    ScriptRunner(ScriptApp spec, RunContext context) {
        super(spec.name(), spec.timeouts(), context);
        this.spec = spec;
    }

    @Override
    List<String> command(String action) {
        String line = switch (action) {
            case "start" -> spec.start();
            case "stop" -> spec.stop();
            default -> spec.monitor();
        };
        return List.of("/bin/sh", "-c", line);
    }

    @Override
    Map<String, String> environment(String action, Duration timeout, Duration interval) {
        return Map.of("GUESTGUARD_APP", spec.name());
    }

    @Override
    String describe(int exitCode) {
        return "exit " + exitCode;
    }
}
