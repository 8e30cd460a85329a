package io.guestguard.protocol;

/**
 * An application ended without being asked to. Exactly one of {@code exitCode} and {@code signal}
 * is set: a process that exited on its own has an exit code (even 0, since a supervised application
 * is not expected to end), a process that was killed has the name of the signal.
 *
 * @param app the application's name
 * @param pid the process id that ended
 * @param exitCode the exit status, or {@code null} when a signal ended the process
 * @param signal the signal's name without the {@code SIG} prefix (e.g. {@code KILL}), or {@code null}
 */
public record AppFailed(String app, long pid, Integer exitCode, String signal) implements Fact {

    public AppFailed {
        if ((exitCode == null) == (signal == null)) {
            throw new IllegalArgumentException("exactly one of exitCode and signal must be set");
        }
    }

    public static AppFailed exited(String app, long pid, int exitCode) {
        return new AppFailed(app, pid, exitCode, null);
    }

    public static AppFailed killed(String app, long pid, String signal) {
        return new AppFailed(app, pid, null, signal);
    }

    /** How the process ended, as a person would say it: {@code SIGKILL} or {@code exit 3}. */
    public String cause() {
        return signal != null ? "SIG" + signal : "exit " + exitCode;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.appFailed(this);
    }

    @Override
    public String describe() {
        return "failed (" + cause() + ", pid " + pid + ")";
    }

    @Override
    public String appName() {
        return app;
    }
}
