package io.guestguard.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Event and command ids: ASCII letters, digits and {@code . _ - : @ = +}, starting with a letter or
 * digit, at most {@value #MAX_LENGTH} characters, never {@code /} or {@code ..} (as in
 * {@code defs.json#/$defs/id}). Services derive the ids of what they write from the ids of what
 * caused it ({@code decision-<fact id>}), deterministically, so a replay or a restart writes the
 * same ids; {@link #derive} keeps such an id within the rule however long its cause's id was.
 */
public final class Ids {

    public static final int MAX_LENGTH = 255;
    /** The pattern, as written in {@code defs.json}. */
    public static final String REGEX = "^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._:@=+-]{0," + (MAX_LENGTH - 1) + "}$";
    /** Room a derived id keeps for its prefix and suffix when its cause's id must be shortened. */
    private static final int HASHED_LENGTH = 40;

    private Ids() {
    }

    /**
     * Whether {@code id} matches {@link #REGEX}, checked character by character ({@code WireRulesTest}
     * checks it against the pattern).
     */
    public static boolean valid(String id) {
        return Names.matches(id, MAX_LENGTH, Names.ID_CHARACTERS);
    }

    /**
     * {@code prefix + cause + suffix}, or, when that would be longer than {@value #MAX_LENGTH}
     * characters, the cause replaced by {@code h} and the first 39 hex digits of its SHA-256: the same
     * cause always gives the same id, and a valid cause always gives a valid id for the short
     * prefixes and suffixes services use.
     */
    public static String derive(String prefix, String cause, String suffix) {
        String id = prefix + cause + suffix;
        if (id.length() <= MAX_LENGTH) {
            return id;
        }
        return prefix + "h" + sha256(cause).substring(0, HASHED_LENGTH - 1) + suffix;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
