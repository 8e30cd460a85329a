package io.guestguard.deploy.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local fleet's console users, new with each run: {@value #OPERATOR} (role operator: may act) and
 * {@value #VIEWER} (role viewer: sees everything), each with a random password. They are written as an
 * operator writes them for a real console (docs/operations.md, "The console"): password digests and
 * roles in a file of settings (owner-only) that the console reads with {@code quarkus.config.locations},
 * with the key that encrypts the login sessions;
 * the passwords themselves are only printed in the fleet's header.
 */
public final class ConsoleUsers {

    public static final String OPERATOR = "ops";
    public static final String VIEWER = "viewer";
    /** The console's realm name, part of each digest (its application.properties). */
    private static final String REALM = "guestguard";

    private final Path file;
    private final Map<String, String> passwords;

    private ConsoleUsers(Path file, Map<String, String> passwords) {
        this.file = file;
        this.passwords = passwords;
    }

    /** Creates both users and writes {@code file}. */
    static ConsoleUsers create(Path file) {
        SecureRandom random = new SecureRandom();
        Map<String, String> passwords = new LinkedHashMap<>();
        StringBuilder settings = new StringBuilder("# The local fleet's console users (new each run): HEX(SHA-256(\"USER:guestguard:PASSWORD\")) and a role each.\n");
        for (Map.Entry<String, String> user : Map.of(OPERATOR, "operator", VIEWER, "viewer").entrySet()) {
            byte[] secret = new byte[12];
            random.nextBytes(secret);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            passwords.put(user.getKey(), password);
            settings.append("quarkus.security.users.embedded.users.").append(user.getKey()).append('=').append(digest(user.getKey(), password))
                    .append('\n').append("quarkus.security.users.embedded.roles.").append(user.getKey()).append('=').append(user.getValue()).append('\n');
        }
        // Form logins' session cookies are encrypted with this key; unset, Quarkus makes one and logs it.
        byte[] sessionKey = new byte[32];
        random.nextBytes(sessionKey);
        settings.append("quarkus.http.auth.session.encryption-key=").append(Base64.getEncoder().encodeToString(sessionKey)).append('\n');
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the console's users to " + file, e);
        }
        return new ConsoleUsers(file, passwords);
    }

    /** The settings file the console reads its users from. */
    public Path file() {
        return file;
    }

    public String password(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no console user " + user + "; users: " + passwords.keySet());
        }
        return password;
    }

    private static String digest(String user, String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((user + ":" + REALM + ":" + password).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
