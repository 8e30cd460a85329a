package io.guestguard.console;

import io.guestguard.deploy.kafka.ServiceHttp;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The console's users in its tests, configured as an operator configures them (a password digest and
 * a role each): {@code olivia}, an operator, and {@code victor}, a viewer. Every test class that uses
 * this profile shares one started console.
 */
public class TestUsers implements QuarkusTestProfile {

    static final String OPERATOR = "olivia";
    static final String VIEWER = "victor";
    static final String NO_ROLE = "nora";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.security.users.embedded.users." + OPERATOR, digest(OPERATOR),
                "quarkus.security.users.embedded.roles." + OPERATOR, "operator",
                "quarkus.security.users.embedded.users." + VIEWER, digest(VIEWER),
                "quarkus.security.users.embedded.roles." + VIEWER, "viewer",
                "quarkus.security.users.embedded.users." + NO_ROLE, digest(NO_ROLE),
                "quarkus.security.users.embedded.roles." + NO_ROLE, "auditor");
    }

    /** Each test user's password. */
    static String password(String user) {
        return user + "-secret";
    }

    /** HEX(SHA-256("user:guestguard:password")): the digest the console's settings hold. */
    static String digest(String user) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((user + ":guestguard:" + password(user)).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request signed in as {@code user} with HTTP Basic, with {@link ServiceHttp}'s deadline. */
    static HttpRequest.Builder as(String user, URI uri) {
        return ServiceHttp.request(uri).header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password(user)).getBytes(StandardCharsets.UTF_8)));
    }
}
