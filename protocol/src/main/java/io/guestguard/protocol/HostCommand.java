package io.guestguard.protocol;

/** A command for a host supervisor, keyed by the host that must carry it out. */
public sealed interface HostCommand extends Command permits StartGuest, HaltGuest, MigrateGuest, FenceHost {

    /** The host that carries the command out: the record's key on {@code host-commands.v1}. */
    String host();

    /** The guest the command is about, or {@code null} for a fence, which is about a host. */
    String guest();

    /** Dispatches to the visitor method for this command's type. */
    <R> R accept(HostCommand.Visitor<R> visitor);

    @Override
    default <R> R accept(Command.Visitor<R> visitor) {
        return accept((HostCommand.Visitor<R>) visitor);
    }

    /** One method per host command type, for a host supervisor. */
    interface Visitor<R> {
        R startGuest(StartGuest command);

        R haltGuest(HaltGuest command);

        R migrateGuest(MigrateGuest command);

        R fenceHost(FenceHost command);
    }
}
