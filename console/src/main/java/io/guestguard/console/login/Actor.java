package io.guestguard.console.login;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;

/**
 * The signed-in user, for the templates ({@code inject:actor}): who they are and whether the action
 * buttons are theirs to press. What they may do is enforced by the HTTP permissions (the
 * {@code /actions} paths are the operator role's), not by what is rendered.
 */
@RequestScoped
@Named("actor")
public class Actor {

    private final SecurityIdentity identity;

    public Actor(SecurityIdentity identity) {
        this.identity = identity;
    }

    public String name() {
        return identity.isAnonymous() ? "" : identity.getPrincipal().getName();
    }

    public boolean operator() {
        return identity.hasRole(Roles.OPERATOR);
    }

    /** The role in words, for the page's header. */
    public String role() {
        return operator() ? "operator: may act" : identity.hasRole(Roles.VIEWER) ? "viewer: sees everything, changes nothing" : "no role";
    }
}
