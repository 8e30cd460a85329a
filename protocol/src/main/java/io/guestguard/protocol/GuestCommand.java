package io.guestguard.protocol;

/** A command for a guest reporter, keyed by the guest that must carry it out ({@code guest-commands.v1}). */
public sealed interface GuestCommand extends Command permits AppCommand, Rebind {

    /** Dispatches to the visitor method for this command's type. */
    <R> R accept(GuestCommand.Visitor<R> visitor);

    @Override
    default <R> R accept(Command.Visitor<R> visitor) {
        return accept((GuestCommand.Visitor<R>) visitor);
    }

    /** One method per guest command type, for a guest reporter. */
    interface Visitor<R> {
        R restartApp(RestartApp command);

        R stopApp(StopApp command);

        R startApp(StartApp command);

        R rebind(Rebind command);
    }
}
