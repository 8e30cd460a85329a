package io.guestguard.reporter.app;

import io.guestguard.protocol.AppFailed;
import io.guestguard.reporter.app.probe.Prober;
import io.guestguard.reporter.app.run.RunContext;
import io.guestguard.reporter.app.run.Runner;
import io.guestguard.reporter.config.ActionTimeouts;
import io.guestguard.reporter.config.AppSpec;
import io.guestguard.reporter.config.ExecApp;
import io.guestguard.reporter.config.OcfApp;
import io.guestguard.reporter.config.ScriptApp;
import org.jboss.logging.Logger;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns every application of the guest, whatever its kind, and reports what happens to them to a
 * {@link Listener}: starts, failures (an end or an unhealthy answer nobody asked for) and stops (an
 * end that {@link #stop} asked for). Thread-safe.
 *
 * <ol>
 *   <li>A request ({@link #start}, {@link #stop}, {@link #restart}) returns at once; the work runs on a
 *       worker thread, one piece at a time per application (a script's start may take a minute, and
 *       must neither block the caller, the JDK's process reaper nor the timers, nor overlap that
 *       application's monitor or stop).</li>
 *   <li>Starting: exec runs the command in its own session; script and OCF run their start action
 *       to completion. On {@link #startAll()}, an instance a previous reporter left running is adopted
 *       instead: an exec process recorded in the state folder that still runs, or a script or OCF
 *       resource whose monitor says it is healthy. Either way {@code started} is reported.</li>
 *   <li>Watching: an exec process's end is seen at once ({@link Process#onExit()}); script and OCF
 *       monitors run every monitor interval; probes run on any kind.</li>
 *   <li>A failure is reported, then what is left of the instance is removed (the exec process group
 *       killed, the stop action run), so a later start starts clean; that clean-up is reported as
 *       nothing. An exec process that ended on its own has its group killed before the report.</li>
 *   <li>A stop ends the instance (SIGTERM to the exec group, SIGKILL after the grace; the stop action)
 *       and reports {@code stopped}; a stop action that fails is reported as failed (check {@code stop}),
 *       since the application may still run.</li>
 * </ol>
 */
public final class ApplicationSupervisor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ApplicationSupervisor.class);

    /**
     * Receives what happens to the applications, from worker threads; facts about one application
     * arrive one at a time and in order.
     */
    public interface Listener {
        /** @param pid {@code null} for a script or OCF application without a pid-file probe */
        void started(String app, Long pid);

        void failed(AppFailed failure);

        void stopped(String app, Long pid);
    }

    private final Map<String, SupervisedApp> apps = new LinkedHashMap<>();
    private final Map<String, AppSpec> specs = new LinkedHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final ExecutorService workers = Executors.newCachedThreadPool(daemons("guestguard-app-worker"));
    private volatile HttpClient http;
    private volatile boolean closed;
    private final AtomicBoolean shutDown = new AtomicBoolean();

    /**
     * @param stateDir where exec applications' pid records (for adoption), OCF agents' state and the
     *                 applications' output logs ({@code apps/NAME.log}) are kept
     * @param scheduler timers for monitors and probes; it is not shut down by {@link #close()}
     */
    public ApplicationSupervisor(List<AppSpec> specs, Listener listener, Path stateDir, ScheduledExecutorService scheduler) {
        this(specs, listener, stateDir, scheduler, false);
    }

    /** As the other constructor, with a timer thread of its own. */
    public ApplicationSupervisor(List<AppSpec> specs, Listener listener, Path stateDir) {
        this(specs, listener, stateDir, Executors.newSingleThreadScheduledExecutor(daemons("guestguard-app-timer")), true);
    }

    private ApplicationSupervisor(List<AppSpec> specs, Listener listener, Path stateDir,
                                  ScheduledExecutorService scheduler, boolean ownsScheduler) {
        this.scheduler = scheduler;
        this.ownsScheduler = ownsScheduler;
        Listener guarded = new GuardedListener(listener);
        for (AppSpec spec : specs) {
            SerialExecutor serial = new SerialExecutor(workers);
            Runner runner = Runner.of(spec, new RunContext(stateDir.toAbsolutePath(), scheduler, serial, workers));
            Prober prober = new Prober(spec.name(), spec.probes(), this::httpClient, scheduler, workers);
            this.apps.put(spec.name(), new SupervisedApp(spec.name(), runner, prober, serial, guarded));
            this.specs.put(spec.name(), spec);
        }
    }

    /**
     * Starts every application that is not running, adopting instead what an earlier reporter left
     * running. Returns at once.
     *
     * @return completes when every start (or adoption) has been tried
     */
    public CompletableFuture<Void> startAll() {
        return startAll(Set.of());
    }

    /**
     * As {@link #startAll()}, leaving out the applications in {@code held} (those an operator stopped):
     * they are neither started nor adopted.
     */
    public CompletableFuture<Void> startAll(Collection<String> held) {
        List<CompletableFuture<Void>> started = new ArrayList<>();
        if (!closed) {
            apps.forEach((name, app) -> {
                if (!held.contains(name)) {
                    app.requestStart(true).ifPresent(started::add);
                }
            });
        }
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
    }

    /**
     * Starts {@code app} unless it runs or is being started; returns at once, and {@code started} or
     * {@code failed} is reported when the start is done. A start asked for while the application is
     * being stopped, or cleaned up after a failure, runs after that.
     *
     * @return whether a start was queued
     * @throws IllegalArgumentException for an application this guest does not have
     */
    public boolean start(String app) {
        SupervisedApp supervised = supervised(app);
        return !closed && supervised.requestStart(false).isPresent();
    }

    /**
     * Stops {@code app} if it runs (and cancels a start not yet begun); returns at once.
     *
     * @return completes once it stopped and that was reported
     */
    public CompletableFuture<Void> stop(String app) {
        return supervised(app).requestStop();
    }

    /**
     * Stops {@code app} if it runs, then starts it.
     *
     * @return completes when the new start has been tried
     */
    public CompletableFuture<Void> restart(String app) {
        SupervisedApp supervised = supervised(app);
        synchronized (supervised) {
            supervised.requestStop();
            return closed ? CompletableFuture.completedFuture(null)
                    : supervised.requestStart(false).orElse(CompletableFuture.completedFuture(null));
        }
    }

    /** The pid of {@code app}'s running instance, if it runs and has one. */
    public Optional<Long> pid(String app) {
        return supervised(app).pid();
    }

    /** Whether {@code app} runs: started, and neither failed nor being stopped since. */
    public boolean isRunning(String app) {
        return supervised(app).isRunning();
    }

    public boolean has(String app) {
        return apps.containsKey(app);
    }

    /** Stops every application and waits (within their stop timeouts) until each stop was reported. Idempotent. */
    @Override
    public void close() {
        if (!shutDown.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        Map<String, CompletableFuture<Void>> stops = new LinkedHashMap<>();
        apps.forEach((name, app) -> stops.put(name, app.requestStop()));
        stops.forEach((name, stop) -> {
            try {
                stop.get(longestStop(specs.get(name)).toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.errorf("%s did not stop in time; leaving it", name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.errorf(e, "%s: stop failed", name);
            }
        });
        shutdown();
    }

    /**
     * Stops supervising without stopping anything: the applications keep running, and the next
     * reporter over the same state folder adopts them (for an upgrade of the reporter itself).
     */
    public void detach() {
        if (!shutDown.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        apps.values().forEach(SupervisedApp::detach);
        shutdown();
    }

    private void shutdown() {
        workers.shutdownNow();
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    /** How long a stop can take at most: it may wait for a start and a monitor in progress. */
    private static Duration longestStop(AppSpec spec) {
        Duration slack = Duration.ofSeconds(30);
        if (spec instanceof ExecApp exec) {
            return exec.stopGrace().plus(slack);
        }
        ActionTimeouts t = spec instanceof ScriptApp script ? script.timeouts() : ((OcfApp) spec).timeouts();
        return t.startTimeout().plus(t.monitorTimeout()).plus(t.stopTimeout().multipliedBy(2)).plus(slack);
    }

    private SupervisedApp supervised(String app) {
        SupervisedApp supervised = apps.get(app);
        if (supervised == null) {
            throw new IllegalArgumentException("this guest has no application '" + app + "'");
        }
        return supervised;
    }

    /** One client for every HTTP probe, made when the first one runs. */
    private HttpClient httpClient() {
        HttpClient client = http;
        if (client == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().executor(workers).build();
                }
                client = http;
            }
        }
        return client;
    }

    /** Daemon threads named {@code NAME-1}, {@code NAME-2}, ...: none of them keeps the JVM alive. */
    static ThreadFactory daemons(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** A listener that throws must not leave an application half-way through a change. */
    private static final class GuardedListener implements Listener {

        private final Listener delegate;

        GuardedListener(Listener delegate) {
            this.delegate = delegate;
        }

        @Override
        public void started(String app, Long pid) {
            guard(() -> delegate.started(app, pid));
        }

        @Override
        public void failed(AppFailed failure) {
            guard(() -> delegate.failed(failure));
        }

        @Override
        public void stopped(String app, Long pid) {
            guard(() -> delegate.stopped(app, pid));
        }

        private static void guard(Runnable report) {
            try {
                report.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "reporting an application's fact failed");
            }
        }
    }
}
