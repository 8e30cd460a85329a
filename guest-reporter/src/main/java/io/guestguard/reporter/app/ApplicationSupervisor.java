package io.guestguard.reporter.app;

import io.guestguard.protocol.AppFailed;
import io.guestguard.reporter.config.GuestSpec.AppSpec;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs each application as a child process and learns of its end at once: {@link Process#onExit()}
 * completes from the JDK's reaper thread, which waits in {@code waitpid}, so there is no polling
 * interval between a crash and the report. Reports starts, failures (an end nobody asked for) and
 * stops (an end that {@link #stop} asked for) to a {@link Listener}. Thread-safe.
 */
public final class ApplicationSupervisor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ApplicationSupervisor.class);

    /** Receives what happens to the applications; called from the reaper thread or the caller's. */
    public interface Listener {
        void started(String app, long pid);

        void failed(AppFailed failure);

        void stopped(String app, long pid);
    }

    private final Map<String, Supervised> apps = new LinkedHashMap<>();
    private final Listener listener;
    private final Duration stopGrace;

    public ApplicationSupervisor(List<AppSpec> specs, Listener listener, Duration stopGrace) {
        specs.forEach(spec -> apps.put(spec.name(), new Supervised(spec)));
        this.listener = listener;
        this.stopGrace = stopGrace;
    }

    /** Starts every application that is not running. */
    public void startAll() {
        apps.keySet().forEach(this::start);
    }

    /**
     * Starts {@code app} unless it is already running.
     *
     * @return whether a new process was started
     * @throws IllegalArgumentException for an application this guest does not have
     */
    public boolean start(String app) {
        Supervised supervised = supervised(app);
        long pid;
        synchronized (supervised) {
            if (supervised.process != null) {
                return false;
            }
            Process process;
            try {
                process = new ProcessBuilder("/bin/sh", "-c", "exec " + supervised.spec.command())
                        .inheritIO().start();
            } catch (IOException e) {
                LOG.errorf("cannot start %s (%s): %s", app, supervised.spec.command(), e.getMessage());
                return false;
            }
            supervised.process = process;
            supervised.stopRequested = false;
            pid = process.pid();
            listener.started(app, pid);
            process.onExit().thenAccept(ended -> onExit(supervised, ended));
        }
        return true;
    }

    /** Stops {@code app}: SIGTERM, then SIGKILL after the grace period; reports it as stopped. */
    public void stop(String app) {
        Supervised supervised = supervised(app);
        Process process;
        synchronized (supervised) {
            process = supervised.process;
            if (process == null) {
                return;
            }
            supervised.stopRequested = true;
        }
        process.destroy();
        try {
            if (!process.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("%s (pid %d) ignored SIGTERM for %s; sending SIGKILL", app, process.pid(), stopGrace);
                process.destroyForcibly();
                process.waitFor();
            }
            process.onExit().join(); // the stop is reported before this returns
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The pid of {@code app}'s running process, if it runs. */
    public Optional<Long> pid(String app) {
        Supervised supervised = supervised(app);
        synchronized (supervised) {
            return Optional.ofNullable(supervised.process).map(Process::pid);
        }
    }

    public boolean has(String app) {
        return apps.containsKey(app);
    }

    /** Stops every application. */
    @Override
    public void close() {
        apps.keySet().forEach(this::stop);
    }

    private void onExit(Supervised supervised, Process ended) {
        synchronized (supervised) {
            if (supervised.process != ended) {
                return;
            }
            supervised.process = null;
            String app = supervised.spec.name();
            if (supervised.stopRequested) {
                listener.stopped(app, ended.pid());
            } else {
                listener.failed(ExitStatus.failure(app, ended.pid(), ended.exitValue()));
            }
        }
    }

    private Supervised supervised(String app) {
        Supervised supervised = apps.get(app);
        if (supervised == null) {
            throw new IllegalArgumentException("this guest has no application '" + app + "'");
        }
        return supervised;
    }

    private static final class Supervised {
        final AppSpec spec;
        Process process;
        boolean stopRequested;

        Supervised(AppSpec spec) {
            this.spec = spec;
        }
    }
}
