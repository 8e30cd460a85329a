package io.guestguard.protocol;

/**
 * An application was started inside the guest.
 *
 * @param app the application's name, unique within its guest
 * @param pid the operating-system process id of the started application
 */
public record AppStarted(String app, long pid) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.appStarted(this);
    }

    @Override
    public String describe() {
        return "started (pid " + pid + ")";
    }

    @Override
    public String appName() {
        return app;
    }
}
