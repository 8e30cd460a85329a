package io.guestguard.protocol.trust;

import io.guestguard.protocol.Names;

import java.util.Objects;

/**
 * One holder of a signing key: a role and its name (the guest id, the host name, the operator's
 * name, or a service instance's name).
 */
public record Principal(Role role, String name) {

    public Principal {
        Objects.requireNonNull(role, "role");
        Names.require(role.words() + " name", name);
    }

    public static Principal guest(String guest) {
        return new Principal(Role.GUEST, guest);
    }

    public static Principal host(String host) {
        return new Principal(Role.HOST, host);
    }

    /** As written in reasons and key listings: {@code guest g3}, {@code policy engine engine-1}. */
    @Override
    public String toString() {
        return role.words() + " " + name;
    }
}
