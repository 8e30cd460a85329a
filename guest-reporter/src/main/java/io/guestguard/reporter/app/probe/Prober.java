package io.guestguard.reporter.app.probe;

import io.guestguard.protocol.AppFailed;
import io.guestguard.reporter.app.run.Watch;
import io.guestguard.reporter.config.ProbeSpec;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one application's probes while an instance of it runs. Each probe first checks
 * {@code start_grace} after the start and then {@code interval} after its previous check ended, so
 * checks of one probe never overlap; after {@code failure_threshold} failed checks in a row the
 * application has failed, reported once for the instance whichever probe saw it. Timers only hand
 * the checks to the worker pool, since a check may block for its timeout.
 */
public final class Prober {

    private final String app;
    private final List<ProbeSpec> specs;
    private final List<Probe> probes = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final Executor workers;

    public Prober(String app, List<ProbeSpec> specs, Supplier<HttpClient> http, ScheduledExecutorService scheduler,
                  Executor workers) {
        this.app = app;
        this.specs = List.copyOf(specs);
        this.scheduler = scheduler;
        this.workers = workers;
        specs.forEach(spec -> probes.add(Probe.of(spec.target(), http)));
    }

    /** The live process that the first pid-file probe's file names now, or {@code null}. */
    public Long pidfilePid() {
        for (Probe probe : probes) {
            if (probe instanceof PidfileProbe pidfile) {
                return pidfile.livePid();
            }
        }
        return null;
    }

    /**
     * Probes the instance that runs as {@code appPid} (may be {@code null}); {@code onFailure} is called
     * at most once, with check {@code probe}.
     */
    public Watch watch(Long appPid, Consumer<AppFailed> onFailure) {
        if (probes.isEmpty()) {
            return Watch.NONE;
        }
        AtomicBoolean over = new AtomicBoolean();
        List<Loop> loops = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            loops.add(new Loop(probes.get(i), specs.get(i), over, appPid, onFailure, loops));
        }
        loops.forEach(loop -> loop.schedule(loop.spec.startGrace()));
        return () -> {
            over.set(true);
            loops.forEach(Loop::cancel);
        };
    }

    /** One probe's checks for one instance. */
    private final class Loop {

        private final Probe probe;
        private final ProbeSpec spec;
        private final AtomicBoolean over;
        private final Long appPid;
        private final Consumer<AppFailed> onFailure;
        private final List<Loop> all;
        private int failures;
        private volatile ScheduledFuture<?> next;

        Loop(Probe probe, ProbeSpec spec, AtomicBoolean over, Long appPid, Consumer<AppFailed> onFailure, List<Loop> all) {
            this.probe = probe;
            this.spec = spec;
            this.over = over;
            this.appPid = appPid;
            this.onFailure = onFailure;
            this.all = all;
        }

        void schedule(Duration delay) {
            try {
                next = scheduler.schedule(() -> workers.execute(this::check), delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the reporter is shutting down
            }
        }

        private void check() {
            if (over.get()) {
                return;
            }
            Probe.Result result = probe.check(spec.timeout());
            if (over.get()) {
                return;
            }
            if (result.healthy()) {
                failures = 0;
            } else if (++failures >= spec.failureThreshold()) {
                if (over.compareAndSet(false, true)) {
                    all.forEach(Loop::cancel);
                    String detail = result.detail() + (spec.failureThreshold() > 1 ? ", " + failures + " in a row" : "");
                    onFailure.accept(AppFailed.unhealthy(app, result.pid() != null ? result.pid() : appPid, "probe", detail));
                }
                return;
            }
            schedule(spec.interval());
        }

        void cancel() {
            ScheduledFuture<?> scheduled = next;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
