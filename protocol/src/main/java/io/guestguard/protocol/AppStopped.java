package io.guestguard.protocol;

/**
 * An application was stopped on purpose (by a command or by the reporter shutting down). Not a
 * failure: the decider does not restart it.
 *
 * @param app the application's name
 * @param pid the process id that was stopped, or {@code null} when the application has no single process
 */
public record AppStopped(String app, Long pid) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.appStopped(this);
    }

    @Override
    public String describe() {
        return pid != null ? "stopped (pid " + pid + ")" : "stopped";
    }

    @Override
    public String appName() {
        return app;
    }
}
