package io.guestguard.console.login;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.TreeSet;

/**
 * Stops a console that nobody could sign in to, at start, with the setting and the fix: every page
 * needs a login, so a console without users (and without OIDC) would only ever answer the login page.
 * Warns of users with neither role, who could sign in and see nothing.
 */
@ApplicationScoped
public class LoginCheck {

    static final String USERS = "quarkus.security.users.embedded.users.";
    static final String ROLES = "quarkus.security.users.embedded.roles.";
    static final String OIDC = "quarkus.oidc.auth-server-url";
    private static final Set<String> ROLE_NAMES = Set.of(Roles.VIEWER, Roles.OPERATOR);
    private static final Logger LOG = Logger.getLogger(LoginCheck.class);

    void check(@Observes StartupEvent started, Config config) {
        Set<String> users = new TreeSet<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(USERS)) {
                users.add(unquoted(name.substring(USERS.length())));
            }
        }
        boolean oidc = config.getOptionalValue(OIDC, String.class).isPresent()
                && config.getOptionalValue("quarkus.oidc.tenant-enabled", Boolean.class).orElse(true);
        if (users.isEmpty() && !oidc) {
            throw new IllegalStateException("the console has no users, so nobody could sign in: " + USERS + "NAME is not set. "
                    + "Give each user a password digest and a role (viewer or operator) in a file of settings, e.g. "
                    + "/etc/guestguard/console-users.properties with " + USERS + "alice=HEX(SHA-256(\"alice:guestguard:PASSWORD\")) and "
                    + ROLES + "alice=operator, and start the console with quarkus.config.locations=/etc/guestguard/console-users.properties "
                    + "(or QUARKUS_CONFIG_LOCATIONS); or sign in through OIDC (" + OIDC + "); docs/operations.md, \"The console\"");
        }
        for (String user : users) {
            String roles = config.getOptionalValue(ROLES + user, String.class)
                    .or(() -> config.getOptionalValue(ROLES + "\"" + user + "\"", String.class)).orElse("");
            if (java.util.Arrays.stream(roles.split(",")).map(String::strip).noneMatch(ROLE_NAMES::contains)) {
                LOG.warnf("console user %s has neither role viewer nor operator (%s%s=%s): signed in, every page refuses them",
                        user, ROLES, user, roles);
            }
        }
        LOG.infof("%d console user%s may sign in%s", users.size(), users.size() == 1 ? "" : "s", oidc ? ", and OIDC users" : "");
    }

    private static String unquoted(String name) {
        return name.length() > 1 && name.startsWith("\"") && name.endsWith("\"") ? name.substring(1, name.length() - 1) : name;
    }
}
