package io.guestguard.reporter.config;

import java.time.Duration;
import java.util.List;

/**
 * An application that is one long-running command, watched through its process.
 *
 * @param command a shell command line, run as {@code setsid /bin/sh -c "exec COMMAND"}, so that the
 *                application itself (not a shell) is the supervised process and leads its own
 *                process group
 * @param stopGrace how long the group gets between SIGTERM and SIGKILL
 */
public record ExecApp(String name, String command, Duration stopGrace, List<ProbeSpec> probes) implements AppSpec {

    public ExecApp {
        probes = List.copyOf(probes);
    }
}
