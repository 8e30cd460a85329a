package io.guestguard.reporter.app;

import io.guestguard.protocol.AppFailed;
import io.guestguard.reporter.app.probe.Prober;
import io.guestguard.reporter.app.run.ActionFailedException;
import io.guestguard.reporter.app.run.Runner;
import io.guestguard.reporter.app.run.Running;
import io.guestguard.reporter.app.run.Watch;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One application's life, whatever its kind. Requests ({@link #requestStart}, {@link #requestStop})
 * change the phase at once and queue the work on the application's serial executor; the work (start,
 * stop, the report and clean-up after a failure) runs there, one piece at a time. Failures arrive
 * from any thread and count only for the instance being watched, while it is {@code RUNNING}: an end
 * that a stop asked for is a stop, and a failure is reported once.
 *
 * <pre>
 * STOPPED --start--> STARTING --ok--> RUNNING --failure--> FAILED --(report, clean up)--> STOPPED
 *                        |                  \--stop--> STOPPING --(stop, report)--> STOPPED
 *                        \--fails--> (report, clean up) --> STOPPED
 * </pre>
 */
final class SupervisedApp {

    private static final Logger LOG = Logger.getLogger(SupervisedApp.class);

    private enum Phase { STOPPED, STARTING, RUNNING, FAILED, STOPPING }

    private final String name;
    private final Runner runner;
    private final Prober prober;
    private final Executor serial;
    private final ApplicationSupervisor.Listener listener;

    // guarded by this
    private Phase phase = Phase.STOPPED;
    /** The start queued last and not yet begun; a stop cancels it. */
    private Object pendingStart;
    /** A stop arrived while the start ran: stop as soon as it is done. */
    private boolean stopRequested;
    private Running running;
    /** The pid reported in {@code started}: the runner's, or a pid file's for kinds without one. */
    private Long pid;
    /** Identifies the watched instance, so late failures of an earlier one are ignored. */
    private Object generation;
    private List<Watch> watches = List.of();

    SupervisedApp(String name, Runner runner, Prober prober, Executor serial, ApplicationSupervisor.Listener listener) {
        this.name = name;
        this.runner = runner;
        this.prober = prober;
        this.serial = serial;
        this.listener = listener;
    }

    /**
     * Queues a start unless the application will be running once the work already queued is done:
     * it runs, or a start is on its way that no stop follows.
     *
     * @param adopt first look for an instance an earlier reporter left running
     * @return completes when the start has run, or empty when nothing was queued
     */
    Optional<CompletableFuture<Void>> requestStart(boolean adopt) {
        Object token = new Object();
        synchronized (this) {
            if (pendingStart != null || phase == Phase.RUNNING || (phase == Phase.STARTING && !stopRequested)) {
                return Optional.empty();
            }
            pendingStart = token;
            return Optional.of(queue(() -> start(token, adopt)));
        }
    }

    /** Queues a stop (cancelling a queued start); completes when the application is stopped. */
    CompletableFuture<Void> requestStop() {
        synchronized (this) {
            pendingStart = null;
            if (phase == Phase.RUNNING) {
                phase = Phase.STOPPING;
                unwatch();
            } else if (phase == Phase.STARTING) {
                stopRequested = true;
            }
            return queue(this::stop);
        }
    }

    /**
     * Runs {@code work} on the serial executor; completes when it ran, or at once when the supervisor
     * is shut down. Called with the lock held, so work is queued in the order its phase changes were made.
     */
    private CompletableFuture<Void> queue(Runnable work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            serial.execute(() -> {
                try {
                    work.run();
                } finally {
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            done.complete(null);
        }
        return done;
    }

    /** Forgets the application without stopping it, for the next reporter to adopt. */
    synchronized void detach() {
        pendingStart = null;
        unwatch();
        phase = Phase.STOPPED;
        running = null;
        pid = null;
    }

    /** The pid of the running instance, when it has one. */
    synchronized Optional<Long> pid() {
        return phase == Phase.RUNNING ? Optional.ofNullable(pid) : Optional.empty();
    }

    synchronized boolean isRunning() {
        return phase == Phase.RUNNING;
    }

    private void start(Object token, boolean adopt) {
        synchronized (this) {
            if (pendingStart != token || phase != Phase.STOPPED) {
                return;
            }
            pendingStart = null;
            phase = Phase.STARTING;
            stopRequested = false;
        }
        Running instance;
        boolean adopted;
        try {
            Optional<Running> earlier = adopt ? runner.adopt() : Optional.empty();
            adopted = earlier.isPresent();
            instance = adopted ? earlier.get() : runner.start();
        } catch (ActionFailedException | RuntimeException e) {
            startFailed(e);
            return;
        }
        Long reported = instance.pid() != null ? instance.pid() : prober.pidfilePid();
        synchronized (this) {
            running = instance;
            pid = reported;
            if (stopRequested) {
                phase = Phase.STOPPING;
            } else {
                phase = Phase.RUNNING;
                watch(instance, reported);
            }
        }
        if (adopted) {
            LOG.infof("%s: adopted the instance an earlier reporter left running%s", name, reported == null ? "" : " (pid " + reported + ")");
        }
        // failures are reported on this serial executor, so never before this
        listener.started(name, reported);
    }

    private void startFailed(Exception e) {
        Long reported = prober.pidfilePid();
        AppFailed failure = e instanceof ActionFailedException failed
                ? AppFailed.unhealthy(name, reported, failed.check(), failed.detail())
                : AppFailed.unhealthy(name, reported, "start", "could not be started: " + e);
        if (!(e instanceof ActionFailedException)) {
            LOG.errorf(e, "%s: could not be started", name);
        }
        try {
            listener.failed(failure);
            runner.cleanup(new Running(reported));
        } finally {
            synchronized (this) {
                phase = Phase.STOPPED;
            }
        }
    }

    /** Called with the lock held; every watch calls back asynchronously, so none can report before {@code started}. */
    private void watch(Running instance, Long reported) {
        Object current = new Object();
        generation = current;
        watches = List.of(runner.watch(instance, failure -> failed(current, failure)),
                prober.watch(reported, failure -> failed(current, failure)));
    }

    private void failed(Object failedGeneration, AppFailed failure) {
        synchronized (this) {
            if (generation != failedGeneration || phase != Phase.RUNNING) {
                return;
            }
            phase = Phase.FAILED;
            unwatch();
            Running instance = running;
            AppFailed fact = failure.pid() != null || pid == null ? failure
                    : new AppFailed(failure.app(), pid, failure.exitCode(), failure.signal(), failure.check(), failure.detail());
            queue(() -> reportAndCleanUp(fact, instance));
        }
    }

    private void reportAndCleanUp(AppFailed fact, Running instance) {
        try {
            listener.failed(fact);
            runner.cleanup(instance); // after the report: a stop of the remains is neither a failure nor a stop
        } finally {
            synchronized (this) {
                phase = Phase.STOPPED;
                running = null;
                pid = null;
            }
        }
    }

    private void stop() {
        Running instance;
        Long reported;
        synchronized (this) {
            if (phase != Phase.STOPPING) {
                return;
            }
            instance = running;
            reported = pid;
        }
        try {
            runner.stop(instance);
            listener.stopped(name, reported);
        } catch (ActionFailedException | RuntimeException e) {
            String what = e instanceof ActionFailedException failed ? failed.detail() : e.toString();
            // app.failed.v1 has no 'stop' check yet: the monitor's word, since the application's state is now unknown
            AppFailed failure = AppFailed.unhealthy(name, reported, "stop", what + "; it may still run");
            LOG.errorf("%s: the stop failed (%s); it may still run, and may need an operator", name, what);
            listener.failed(failure);
        } finally {
            synchronized (this) {
                phase = Phase.STOPPED;
                running = null;
                pid = null;
            }
        }
    }

    private void unwatch() {
        generation = null;
        watches.forEach(Watch::cancel);
        watches = List.of();
    }
}
