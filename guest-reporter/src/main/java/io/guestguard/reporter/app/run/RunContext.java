package io.guestguard.reporter.app.run;

import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a runner needs from its supervisor.
 *
 * @param stateDir the reporter's state folder; runners keep their records under it
 * @param scheduler timers only: a timer hands its work to an executor and returns
 * @param serial runs this application's actions one at a time (monitors wait for a start or stop)
 * @param workers runs short blocking work, such as killing a process group
 */
public record RunContext(Path stateDir, ScheduledExecutorService scheduler, Executor serial, Executor workers) {

    /** Where {@code app}'s processes write their output: appended, and kept when the reporter dies. */
    public Path logFile(String app) {
        return stateDir.resolve("apps").resolve(app + ".log");
    }
}
