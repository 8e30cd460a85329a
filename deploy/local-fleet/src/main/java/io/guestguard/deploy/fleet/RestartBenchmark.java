package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.TopicReader;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.Topics;
import org.apache.kafka.common.errors.WakeupException;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Crash-to-new-pid latency on a running fleet: SIGKILL the application, then take the time its
 * replacement was started, as the reporter stamped it in the app-started fact (same machine, same
 * clock). The path measured is the whole loop: exit noticed, fact written to the outbox and sent,
 * decided by the engine, restart command committed and read back, process spawned.
 *
 * <p>It also splits each loop in three, to show where the time goes: the kill to the failure fact's
 * time (the reporter noticing the exit), that to the moment a {@code read_committed} consumer beside
 * the reporter receives the restart command (Kafka, the engine and its transaction), and that to the
 * new process (the reporter reading the command and spawning). The middle stage is split once more:
 * at the failure fact's append time on the broker (the guest log is {@code LogAppendTime}; the broker
 * runs in this JVM, on the same clock), and when a {@code read_uncommitted} consumer receives the
 * command, as soon as the engine has written it: what comes after is the wait for the engine's
 * transaction to commit.
 *
 * <p>Each kill comes as soon as the last replacement's start is read, so it falls right after the
 * engine's transaction for that start: {@link #pausingUpTo} puts a random pause before each kill instead,
 * so that a kill falls anywhere in the engine's cycle, as an unrelated crash would.
 */
final class RestartBenchmark implements AutoCloseable {

    /** Latencies in microseconds, sorted. */
    record Result(List<Long> micros) {
        long percentile(double p) {
            int rank = (int) Math.ceil(p / 100.0 * micros.size());
            return micros.get(Math.max(0, rank - 1));
        }

        long max() {
            return micros.get(micros.size() - 1);
        }

        String summary() {
            double mean = micros.stream().mapToLong(Long::longValue).average().orElse(0);
            return String.format(Locale.ROOT, "kills %d  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  mean %.1f ms",
                    micros.size(), percentile(50) / 1000.0, percentile(90) / 1000.0, percentile(99) / 1000.0,
                    max() / 1000.0, mean / 1000.0);
        }

        String stage(String name) {
            return String.format(Locale.ROOT, "  %-34s p50 %6.1f ms  p90 %6.1f ms  p99 %6.1f ms", name,
                    percentile(50) / 1000.0, percentile(90) / 1000.0, percentile(99) / 1000.0);
        }
    }

    /** GuestGuard's and the baseline's kill → new pid latencies, one column each. */
    static String sideBySide(Result guestGuard, Result supervisord) {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-8s %12s %12s%n", "", "GuestGuard", "supervisord"));
        table.append(String.format(Locale.ROOT, "%-8s %12d %12d%n", "kills", guestGuard.micros().size(), supervisord.micros().size()));
        for (double p : new double[] {50, 90, 99}) {
            table.append(String.format(Locale.ROOT, "%-8s %9.1f ms %9.1f ms%n", "p" + (int) p,
                    guestGuard.percentile(p) / 1000.0, supervisord.percentile(p) / 1000.0));
        }
        table.append(String.format(Locale.ROOT, "%-8s %9.1f ms %9.1f ms", "max", guestGuard.max() / 1000.0, supervisord.max() / 1000.0));
        return table.toString();
    }

    /** The whole loop and its three stages, the middle one split at the fact's append and the command's write. */
    record Results(Result total, Result noticed, Result decided, Result spawned, Result appended, Result written,
                   Result committed) {
        String stages() {
            return String.join(System.lineSeparator(), "where the time goes:",
                    noticed.stage("kill -> app.failed stamped"),
                    decided.stage("app.failed -> restart command read"),
                    appended.stage("  stamped -> appended (reporter)"),
                    written.stage("  appended -> command written"),
                    committed.stage("  written -> committed and read"),
                    spawned.stage("restart command read -> new pid"));
        }
    }

    private final BlockingQueue<AppStarted> starts = new LinkedBlockingQueue<>();
    private final BlockingQueue<Instant> startTimes = new LinkedBlockingQueue<>();
    private final BlockingQueue<Instant> failureTimes = new LinkedBlockingQueue<>();
    private final BlockingQueue<Instant> commandsRead = new LinkedBlockingQueue<>();
    private final BlockingQueue<Instant> commandsWritten = new LinkedBlockingQueue<>();
    private final BlockingQueue<Instant> failuresAppended = new LinkedBlockingQueue<>();
    private final TopicReader commands;
    private final TopicReader uncommittedCommands;
    private final Thread commandWatch;
    private final Thread uncommittedCommandWatch;
    private final String guest;
    private final String app;
    private volatile boolean running = true;
    /** The longest pause before a kill; zero: none. */
    private Duration maxPause = Duration.ZERO;
    /** The application's pid as last started, once known. */
    private long current;

    RestartBenchmark(Timeline timeline, String bootstrapServers, Topics topics, String guest, String app) {
        this.guest = guest;
        this.app = app;
        this.commands = new TopicReader(bootstrapServers, topics.guestCommands());
        this.uncommittedCommands = TopicReader.uncommitted(bootstrapServers, topics.guestCommands(), topics.guestLog());
        this.commandWatch = new Thread(() -> watch(commands, commandsRead, null), "restart-benchmark-commands");
        this.uncommittedCommandWatch = new Thread(() -> watch(uncommittedCommands, commandsWritten, failuresAppended),
                "restart-benchmark-commands-written");
        timeline.addListener(this::onEvent);
        commandWatch.start();
        uncommittedCommandWatch.start();
    }

    private synchronized void onEvent(CloudEvent<?> event) {
        if (!guest.equals(event.guestId()) || !(event.data() instanceof Fact fact) || !app.equals(fact.appName())) {
            return;
        }
        if (fact instanceof AppStarted started) {
            startTimes.add(event.time());
            starts.add(started);
        } else if (fact instanceof AppFailed) {
            failureTimes.add(event.time());
        }
    }

    /**
     * Each restart command of the application, as {@code reader} receives it: the time it was read; and,
     * if {@code appends} is given, each failure fact of the application: its append time.
     */
    private void watch(TopicReader reader, BlockingQueue<Instant> reads, BlockingQueue<Instant> appends) {
        EventCodec codec = new EventCodec(); // one per thread
        try {
            while (running) {
                reader.pollNew(Duration.ofMillis(500)).stream().filter(r -> guest.equals(r.key())).forEach(r -> {
                    Instant read = Instant.now();
                    Object data;
                    try {
                        data = codec.decode(r.value(), r.headers()).data();
                    } catch (RuntimeException unreadable) {
                        return; // not a record this benchmark times (the services dead-letter it)
                    }
                    if (data instanceof RestartApp restart && restart.app().equals(app)) {
                        reads.add(read);
                    } else if (appends != null && data instanceof AppFailed failed && failed.appName().equals(app)) {
                        appends.add(Instant.ofEpochMilli(r.timestamp()));
                    }
                });
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    /** Before each kill, a pause drawn evenly from zero to {@code max}. */
    RestartBenchmark pausingUpTo(Duration max) {
        this.maxPause = max;
        return this;
    }

    /** Kills the application {@code warmup + kills} times and returns the latencies of the last {@code kills}. */
    Results run(int warmup, int kills, PrintStream out) throws InterruptedException {
        Samples samples = new Samples();
        for (int i = 0; i < warmup + kills; i++) {
            Sample sample = once();
            if (i >= warmup) {
                samples.add(sample);
            }
            if ((i + 1) % 50 == 0) {
                out.printf("  %d/%d kills%n", i + 1, warmup + kills);
            }
        }
        return samples.results();
    }

    /**
     * Kills the application {@code kills} times while storms of guest beats go on: {@code storm}
     * starts one in the background, {@code stormGoesOn} says whether it is still being written or
     * read; a new storm starts as soon as one is over, until {@code kills} kills were measured.
     */
    Results runDuringStorms(int kills, Runnable storm, BooleanSupplier stormGoesOn, PrintStream out)
            throws InterruptedException {
        Samples samples = new Samples();
        int storms = 0;
        while (samples.size() < kills) {
            storm.run();
            storms++;
            int before = samples.size();
            while (samples.size() < kills && (stormGoesOn.getAsBoolean() || samples.size() == before)) {
                samples.add(once());
            }
            out.printf("  storm %d: %d kills during it%n", storms, samples.size() - before);
        }
        return samples.results();
    }

    /** One kill of the application and its replacement. */
    private Sample once() throws InterruptedException {
        long pid = current == 0 ? next(Duration.ofSeconds(60), 0).pid : current;
        if (!maxPause.isZero()) {
            Thread.sleep(ThreadLocalRandom.current().nextLong(maxPause.toMillis() + 1)); // a crash at any time, not a wait
        }
        Instant killed = Instant.now();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Started started = next(Duration.ofSeconds(30), pid);
        Instant failed = take(failureTimes, "failure");
        Instant read = take(commandsRead, "restart command");
        Instant written = take(commandsWritten, "restart command written");
        Instant appended = take(failuresAppended, "failure appended");
        current = started.pid;
        return new Sample(micros(killed, started.time), micros(killed, failed), micros(failed, read), micros(read, started.time),
                micros(failed, appended), micros(appended, written), micros(written, read));
    }

    /** One loop's latencies in microseconds: the whole loop, its three stages and the middle one's three parts. */
    private record Sample(long total, long noticed, long decided, long spawned, long appended, long written, long committed) {
    }

    private static final class Samples {
        private final List<Long> total = new ArrayList<>();
        private final List<Long> noticed = new ArrayList<>();
        private final List<Long> decided = new ArrayList<>();
        private final List<Long> spawned = new ArrayList<>();
        private final List<Long> appended = new ArrayList<>();
        private final List<Long> written = new ArrayList<>();
        private final List<Long> committed = new ArrayList<>();

        void add(Sample sample) {
            total.add(sample.total());
            noticed.add(sample.noticed());
            decided.add(sample.decided());
            spawned.add(sample.spawned());
            appended.add(sample.appended());
            written.add(sample.written());
            committed.add(sample.committed());
        }

        int size() {
            return total.size();
        }

        Results results() {
            return new Results(sorted(total), sorted(noticed), sorted(decided), sorted(spawned), sorted(appended), sorted(written),
                    sorted(committed));
        }
    }

    private static Instant take(BlockingQueue<Instant> queue, String what) throws InterruptedException {
        Instant value = queue.poll(30, TimeUnit.SECONDS);
        if (value == null) {
            throw new IllegalStateException("no " + what + " seen within 30 s");
        }
        return value;
    }

    private static long micros(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1000;
    }

    private static Result sorted(List<Long> micros) {
        List<Long> copy = new ArrayList<>(micros);
        Collections.sort(copy);
        return new Result(List.copyOf(copy));
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

    @Override
    public void close() throws InterruptedException {
        running = false;
        commands.wakeup();
        uncommittedCommands.wakeup();
        commandWatch.join(5_000);
        uncommittedCommandWatch.join(5_000);
        commands.close();
        uncommittedCommands.close();
    }
}
