package io.guestguard.reporter.app.run;

import io.guestguard.process.ProcessGroups;
import io.guestguard.protocol.AppFailed;
import io.guestguard.reporter.config.ExecApp;
import org.jboss.logging.Logger;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs an exec application as {@code setsid /bin/sh -c "exec COMMAND"}. The JDK's child is not a
 * process-group leader, so {@code setsid} calls setsid(2) and execs without forking; the shell execs
 * too. The supervised pid is therefore the application itself, and it leads its own session and
 * process group, which holds everything it forks: a stop signals the whole group, and a reporter
 * killed with SIGKILL neither takes the application with it (no SIGHUP from a shared session) nor
 * leaves it unknown to the next reporter, which adopts it through its {@link PidRecord}.
 *
 * <p>The end of a process this JVM started is noticed at once: {@link Process#onExit()} completes
 * from the JDK's reaper thread, which waits in {@code waitpid}. An adopted process is not this JVM's
 * child, so {@link ProcessHandle#onExit()} can only poll it (the JDK checks every few hundred
 * milliseconds, backing off to five seconds), and its exit status went to its new parent, not to us.
 */
final class ExecRunner implements Runner {

    private static final Logger LOG = Logger.getLogger(ExecRunner.class);

    private final ExecApp spec;
    private final RunContext context;
    private final PidRecord record;
    /** The process started by this runner, while it is the current instance: it alone has an exit status. */
    private volatile Process child;

    ExecRunner(ExecApp spec, RunContext context) {
        this.spec = spec;
        this.context = context;
        this.record = new PidRecord(context.stateDir(), spec.name());
    }

    @Override
    public Running start() throws ActionFailedException {
        Path log = context.logFile(spec.name());
        Process process;
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder("setsid", "/bin/sh", "-c", "exec " + spec.command())
                    .redirectInput(Redirect.from(new File("/dev/null")))
                    .redirectOutput(Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true);
            builder.environment().put("GUESTGUARD_APP", spec.name());
            process = builder.start();
        } catch (IOException e) {
            throw new ActionFailedException("start", "cannot run setsid /bin/sh: " + e.getMessage());
        }
        child = process;
        try {
            record.write(process.pid());
        } catch (IOException e) {
            LOG.warnf("%s: cannot record pid %d (%s); a new reporter will not adopt it", spec.name(), process.pid(), e.getMessage());
        }
        return new Running(process.pid());
    }

    @Override
    public Optional<Running> adopt() {
        OptionalLong pid = record.live();
        if (pid.isEmpty()) {
            record.delete();
            return Optional.empty();
        }
        child = null;
        return Optional.of(new Running(pid.getAsLong()));
    }

    @Override
    public Watch watch(Running running, Consumer<AppFailed> onFailure) {
        long pid = running.pid();
        Process process = child;
        CompletableFuture<AppFailed> ended;
        if (process != null && process.pid() == pid) {
            ended = process.onExit().thenApply(p -> ExitStatus.failure(spec.name(), pid, p.exitValue()));
        } else {
            ended = ProcessHandle.of(pid).map(ProcessHandle::onExit).orElse(CompletableFuture.completedFuture(null))
                    .thenApply(p -> AppFailed.unhealthy(spec.name(), pid, "monitor",
                            "pid " + pid + " ended; its exit status is unknown, as it was adopted from an earlier reporter"));
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        // Reported at once, from the reaper thread (the supervisor only queues the report); what is
        // left of the group is killed right after the report, by the cleanup queued behind it and
        // before any new start of the application.
        ended.thenAccept(failure -> {
            if (!cancelled.get()) {
                onFailure.accept(failure);
            }
        });
        return () -> cancelled.set(true);
    }

    @Override
    public void stop(Running running) {
        long pid = running.pid();
        try {
            if (ProcessGroups.terminate(pid, spec.stopGrace())) {
                LOG.warnf("%s (pid %d): its process group outlived SIGTERM by %s; sent SIGKILL", spec.name(), pid, spec.stopGrace());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ProcessGroups.signal(pid, "KILL");
        } finally {
            forget();
        }
    }

    @Override
    public void cleanup(Running running) {
        // kill(1) is a process spawn: spared when the application left nothing behind (the usual case)
        if (running.pid() != null && !ProcessGroups.members(running.pid()).isEmpty()) {
            killGroup(running.pid());
        }
        forget();
    }

    /** Never throws: the failure report that follows must not be lost to a missing kill(1). */
    private void killGroup(long pgid) {
        try {
            ProcessGroups.kill(pgid);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: cannot kill what is left of process group %d", spec.name(), pgid);
        }
    }

    private void forget() {
        record.delete();
        child = null;
    }
}
