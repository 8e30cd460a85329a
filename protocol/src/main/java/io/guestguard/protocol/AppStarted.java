package io.guestguard.protocol;

/**
 * An application was started inside the guest.
 *
 * @param app the application's name, unique within its guest
 * @param pid the operating-system process id of the started application, or {@code null} when it has no single
 *            process (a script or OCF resource without a pid file)
 */
public record AppStarted(String app, Long pid) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.appStarted(this);
    }

    @Override
    public String describe() {
        return pid != null ? "started (pid " + pid + ")" : "started";
    }

    @Override
    public String appName() {
        return app;
    }
}
