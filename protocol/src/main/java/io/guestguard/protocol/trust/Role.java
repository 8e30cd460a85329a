package io.guestguard.protocol.trust;

/**
 * Who may speak on GuestGuard's topics. Each principal holds its own signing key; what each role may
 * emit, and about which subjects, is {@link Authorization}'s table.
 */
public enum Role {
    /** A guest's reporter: the least trusted, a tenant's virtual machine. */
    GUEST("guest"),
    /** A host's supervisor. */
    HOST("host"),
    /** The policy engine's decider: the only writer of commands (but rebinds), decisions and placements. */
    ENGINE("policy engine"),
    /** The policy engine's host-loss detector: the only writer of {@code host.lost} and {@code host.available}. */
    DETECTOR("host-loss detector"),
    /** The migration watcher: the only writer of {@code rebind} and {@code contact-lost}. */
    WATCHER("migration watcher"),
    /** A person, through the {@code guestguard} CLI: operator requests and packages. */
    OPERATOR("operator"),
    /** The operator root key, kept offline: it signs the keys topic (which key speaks for whom), nothing else. */
    ROOT("operator root");

    private final String words;

    Role(String words) {
        this.words = words;
    }

    /** The role as key files and the keys topic name it: {@code guest}, {@code engine}, {@code root}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The role named {@code wire}, as {@link #wire()} writes it. */
    public static java.util.Optional<Role> fromWire(String wire) {
        return java.util.Arrays.stream(values()).filter(role -> role.wire().equals(wire)).findFirst();
    }

    /** The role in words, for reasons: {@code "guest"}, {@code "policy engine"}. */
    public String words() {
        return words;
    }
}
