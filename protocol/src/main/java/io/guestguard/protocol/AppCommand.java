package io.guestguard.protocol;

/** A guest command about one of its applications. */
public sealed interface AppCommand extends GuestCommand permits RestartApp, StopApp, StartApp {

    /** The application concerned, by its name in the guest file. */
    String app();
}
