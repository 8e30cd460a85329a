package io.guestguard.protocol;

/**
 * An application ended or turned unhealthy without being asked to. Exactly one of
 * {@code exitCode}, {@code signal} and {@code check} is set: a process that exited on its own has an
 * exit code (even 0, since a supervised application is not expected to end), a process that was
 * killed has the name of the signal, and an application that a health check declared failed (its
 * start action, its monitor action or a probe) has the check's name and what it saw.
 *
 * @param app the application's name
 * @param pid the process id concerned, or {@code null} when the application has no single process
 *            (a script or OCF resource without a pid file)
 * @param exitCode the exit status, or {@code null}
 * @param signal the signal's name without the {@code SIG} prefix (e.g. {@code KILL}), or {@code null}
 * @param check what found it failed: its {@code start}, {@code monitor} or {@code stop} action, or a {@code probe}; or {@code null}
 * @param detail what the check saw, e.g. {@code OCF_NOT_RUNNING (7)}; set exactly when {@code check} is
 */
public record AppFailed(String app, Long pid, Integer exitCode, String signal, String check, String detail)
        implements Fact {

    public AppFailed {
        int set = (exitCode != null ? 1 : 0) + (signal != null ? 1 : 0) + (check != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException("exactly one of exitCode, signal and check must be set");
        }
        if ((check == null) != (detail == null)) {
            throw new IllegalArgumentException("detail is set exactly when check is");
        }
        detail = detail == null ? null : FreeText.clean(detail); // what a probe or an agent printed
    }

    public static AppFailed exited(String app, long pid, int exitCode) {
        return new AppFailed(app, pid, exitCode, null, null, null);
    }

    public static AppFailed killed(String app, long pid, String signal) {
        return new AppFailed(app, pid, null, signal, null, null);
    }

    /** A health check (start or monitor action, or a probe) found the application failed. */
    public static AppFailed unhealthy(String app, Long pid, String check, String detail) {
        return new AppFailed(app, pid, null, null, check, detail);
    }

    /** What went wrong, as a person would say it: {@code SIGKILL}, {@code exit 3} or {@code monitor: OCF_NOT_RUNNING (7)}. */
    public String cause() {
        if (check != null) {
            return check + ": " + detail;
        }
        return signal != null ? "SIG" + signal : "exit " + exitCode;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.appFailed(this);
    }

    @Override
    public String describe() {
        return "failed (" + cause() + (pid != null ? ", pid " + pid : "") + ")";
    }

    @Override
    public String appName() {
        return app;
    }
}
