package io.guestguard.reporter.app.run;

/** Stops watching one instance; after {@link #cancel()} its failures are no longer reported. */
@FunctionalInterface
public interface Watch {

    Watch NONE = () -> { };

    void cancel();
}
