package io.guestguard.reporter.app.run;

import io.guestguard.protocol.AppFailed;
import io.guestguard.reporter.config.AppSpec;
import io.guestguard.reporter.config.ExecApp;
import io.guestguard.reporter.config.OcfApp;
import io.guestguard.reporter.config.ScriptApp;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * How one kind of application is started, stopped and watched. The supervisor calls
 * {@link #start}, {@link #adopt}, {@link #stop} and {@link #cleanup} one at a time per application,
 * on a worker thread, so they may block for as long as their timeouts allow.
 */
public interface Runner {

    /** Starts the application and returns once it runs. */
    Running start() throws ActionFailedException;

    /** The instance an earlier reporter left running, if it is still there and healthy; it is not started again. */
    Optional<Running> adopt();

    /**
     * Begins watching {@code running}; {@code onFailure} is called at most once, from any thread, when it
     * ends or turns unhealthy. The failure's pid may be {@code null} for kinds without one.
     */
    Watch watch(Running running, Consumer<AppFailed> onFailure);

    /** Stops {@code running} on request and returns once it stopped. */
    void stop(Running running) throws ActionFailedException;

    /** Removes what is left of an instance that failed, so the next start starts clean; reports nothing. */
    void cleanup(Running running);

    /** The runner for {@code spec}'s kind. */
    static Runner of(AppSpec spec, RunContext context) {
        if (spec instanceof ExecApp exec) {
            return new ExecRunner(exec, context);
        }
        if (spec instanceof ScriptApp script) {
            return new ScriptRunner(script, context);
        }
        return new OcfRunner((OcfApp) spec, context);
    }
}
