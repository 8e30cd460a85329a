package io.guestguard.protocol;

/** A command for a host supervisor, keyed by the host that must carry it out. */
public sealed interface HostCommand extends Command permits StartGuest, HaltGuest, MigrateGuest, FenceHost {

    /** The host that carries the command out: the record's key on {@code host-commands.v1}. */
    String host();

    /** The guest the command is about, or {@code null} for a fence, which is about a host. */
    String guest();
}
