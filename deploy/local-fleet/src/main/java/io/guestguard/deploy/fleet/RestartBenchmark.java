package io.guestguard.deploy.fleet;

import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Crash-to-new-pid latency on a running fleet: SIGKILL the application, then take the time its
 * replacement was started, as the reporter stamped it in the app-started fact (same machine, same
 * clock). The path measured is the whole loop: exit noticed, fact sent, decided by the engine,
 * restart command committed and read back, process spawned.
 */
final class RestartBenchmark {

    /** Latencies in microseconds, sorted. */
    record Result(List<Long> micros) {
        long percentile(double p) {
            int rank = (int) Math.ceil(p / 100.0 * micros.size());
            return micros.get(Math.max(0, rank - 1));
        }

        String summary() {
            double mean = micros.stream().mapToLong(Long::longValue).average().orElse(0);
            return String.format(Locale.ROOT, "kills %d  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  mean %.1f ms",
                    micros.size(), percentile(50) / 1000.0, percentile(90) / 1000.0, percentile(99) / 1000.0,
                    micros.get(micros.size() - 1) / 1000.0, mean / 1000.0);
        }
    }

    private final BlockingQueue<AppStarted> starts = new LinkedBlockingQueue<>();
    private final BlockingQueue<Instant> startTimes = new LinkedBlockingQueue<>();
    private final String guest;
    private final String app;

    RestartBenchmark(Timeline timeline, String guest, String app) {
        this.guest = guest;
        this.app = app;
        timeline.addListener(this::onEvent);
    }

    private synchronized void onEvent(CloudEvent<?> event) {
        if (guest.equals(event.guestId()) && event.data() instanceof AppStarted started && app.equals(started.app())) {
            startTimes.add(event.time());
            starts.add(started);
        }
    }

    /** Kills the application {@code warmup + kills} times and returns the latencies of the last {@code kills}. */
    Result run(int warmup, int kills, PrintStream out) throws InterruptedException {
        long pid = next(Duration.ofSeconds(60), 0).pid;
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < warmup + kills; i++) {
            Instant killed = Instant.now();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            Started started = next(Duration.ofSeconds(30), pid);
            if (i >= warmup) {
                micros.add(Duration.between(killed, started.time).toNanos() / 1000);
            }
            pid = started.pid;
            if ((i + 1) % 50 == 0) {
                out.printf("  %d/%d kills%n", i + 1, warmup + kills);
            }
        }
        Collections.sort(micros);
        return new Result(List.copyOf(micros));
    }

    private record Started(long pid, Instant time) {
    }

    private Started next(Duration timeout, long notPid) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            AppStarted started = starts.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (started == null) {
                throw new IllegalStateException(guest + "/" + app + " was not started again within " + timeout);
            }
            Instant time = startTimes.take();
            if (started.pid() != notPid) {
                return new Started(started.pid(), time);
            }
        }
    }
}
