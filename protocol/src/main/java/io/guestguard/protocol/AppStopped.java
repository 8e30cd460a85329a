package io.guestguard.protocol;

/**
 * An application was stopped on purpose (by a command or by the reporter shutting down). Not a
 * failure: the decider does not restart it.
 *
 * @param app the application's name
 * @param pid the process id that was stopped
 */
public record AppStopped(String app, long pid) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.appStopped(this);
    }

    @Override
    public String describe() {
        return "stopped (pid " + pid + ")";
    }

    @Override
    public String appName() {
        return app;
    }
}
