package io.guestguard.reporter.app.run;

import io.guestguard.protocol.AppFailed;
import io.guestguard.reporter.config.ActionTimeouts;
import org.jboss.logging.Logger;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The kinds managed by start, stop and monitor actions (script and OCF): start and stop run to
 * completion within their timeouts; a monitor runs every monitor interval, after the previous one
 * ended, and any answer but healthy is a failure. Monitors run on the application's serial executor,
 * so one never overlaps a start or a stop of the same application. An earlier reporter's instance
 * is adopted when a monitor finds it healthy.
 */
abstract class ActionRunner implements Runner {

    private static final Logger LOG = Logger.getLogger(ActionRunner.class);

    final String app;
    private final ActionTimeouts timeouts;
    private final RunContext context;

    ActionRunner(String app, ActionTimeouts timeouts, RunContext context) {
        this.app = app;
        this.timeouts = timeouts;
        this.context = context;
    }

    /** The command line of {@code action} ({@code start}, {@code stop} or {@code monitor}), run under setsid. */
    abstract List<String> command(String action);

    /**
     * The environment {@code action} needs besides the reporter's.
     *
     * @param interval the monitor's interval, or zero for a one-off check (OCF calls that a probe)
     */
    abstract Map<String, String> environment(String action, Duration timeout, Duration interval);

    /** An exit code, as the failed fact's detail says it. */
    abstract String describe(int exitCode);

    /** Whether a stop that exited with {@code exitCode} leaves the application stopped. */
    boolean stopped(int exitCode) {
        return exitCode == 0;
    }

    /** A hook for what an exit code means beyond failed, such as needing an operator. */
    void failed(String action, ActionProcess.Outcome outcome) {
    }

    @Override
    public Running start() throws ActionFailedException {
        ActionProcess.Outcome outcome = run("start", timeouts.startTimeout(), Duration.ZERO);
        if (!outcome.exited(0)) {
            failed("start", outcome);
            throw new ActionFailedException("start", outcome.describe(this::describe));
        }
        return new Running(null);
    }

    @Override
    public Optional<Running> adopt() {
        ActionProcess.Outcome outcome = run("monitor", timeouts.monitorTimeout(), Duration.ZERO);
        LOG.infof("%s: monitor before starting: %s", app, outcome.describe(this::describe));
        return outcome.exited(0) ? Optional.of(new Running(null)) : Optional.empty();
    }

    @Override
    public Watch watch(Running running, Consumer<AppFailed> onFailure) {
        MonitorLoop loop = new MonitorLoop(running, onFailure);
        loop.scheduleNext();
        return loop;
    }

    @Override
    public void stop(Running running) throws ActionFailedException {
        ActionProcess.Outcome outcome = run("stop", timeouts.stopTimeout(), Duration.ZERO);
        if (outcome.exitCode() == null || !stopped(outcome.exitCode())) {
            failed("stop", outcome);
            throw new ActionFailedException("stop", outcome.describe(this::describe));
        }
    }

    @Override
    public void cleanup(Running running) {
        try {
            stop(running);
        } catch (ActionFailedException e) {
            LOG.errorf("%s: the stop after its failure failed too (%s); what is left of it may need an operator", app, e.detail());
        }
    }

    private ActionProcess.Outcome run(String action, Duration timeout, Duration interval) {
        Map<String, String> environment;
        try {
            environment = environment(action, timeout, interval);
        } catch (UncheckedIOException e) {
            return new ActionProcess.Outcome(null, null, e.getCause().getMessage());
        }
        return ActionProcess.run(command(action), environment, timeout, context.logFile(app));
    }

    /** Monitors one instance until it fails or the watch is cancelled. */
    private final class MonitorLoop implements Watch {

        private final Running running;
        private final Consumer<AppFailed> onFailure;
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private volatile ScheduledFuture<?> next;

        MonitorLoop(Running running, Consumer<AppFailed> onFailure) {
            this.running = running;
            this.onFailure = onFailure;
        }

        void scheduleNext() {
            try {
                next = context.scheduler().schedule(() -> context.serial().execute(this::monitor),
                        timeouts.monitorInterval().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the reporter is shutting down
            }
        }

        private void monitor() {
            if (cancelled.get()) {
                return;
            }
            ActionProcess.Outcome outcome = run("monitor", timeouts.monitorTimeout(), timeouts.monitorInterval());
            if (cancelled.get()) {
                return;
            }
            if (outcome.exited(0)) {
                scheduleNext();
            } else {
                failed("monitor", outcome);
                onFailure.accept(AppFailed.unhealthy(app, running.pid(), "monitor", outcome.describe(ActionRunner.this::describe)));
            }
        }

        @Override
        public void cancel() {
            cancelled.set(true);
            ScheduledFuture<?> scheduled = next;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
