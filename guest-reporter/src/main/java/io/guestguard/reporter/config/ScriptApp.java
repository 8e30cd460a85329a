package io.guestguard.reporter.config;

import java.util.List;

/**
 * An application managed by three shell command lines, as cluster toolkits do: {@code start} and
 * {@code stop} run to completion, {@code monitor} exits 0 while the application is healthy.
 */
public record ScriptApp(String name, String start, String stop, String monitor, ActionTimeouts timeouts,
                        List<ProbeSpec> probes) implements AppSpec {

    public ScriptApp {
        probes = List.copyOf(probes);
    }
}
