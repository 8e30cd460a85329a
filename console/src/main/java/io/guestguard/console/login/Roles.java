package io.guestguard.console.login;

/** The console's two roles: the configuration's {@code roles-allowed} name them too. */
public final class Roles {

    /** Sees everything, changes nothing. */
    public static final String VIEWER = "viewer";
    /** Sees everything and may act: halt, run, move, migrate a guest; stop or start an application. */
    public static final String OPERATOR = "operator";

    private Roles() {
    }
}
