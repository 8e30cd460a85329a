package io.guestguard.protocol;

/** A command for a guest reporter, keyed by the guest that must carry it out ({@code guest-commands.v1}). */
public sealed interface GuestCommand extends Command permits AppCommand, Rebind {
}
