package io.guestguard.protocol;

import java.util.regex.Pattern;

/**
 * The one rule for the names that travel on the wire and end up in file paths, process arguments,
 * libvirt URIs and log lines: guest ids, host names and application names. ASCII letters, digits,
 * {@code .}, {@code _} and {@code -}, starting with a letter or digit, at most {@value #MAX_LENGTH}
 * characters, and never {@code ..}: so a name is never a path, never an option, never two lines.
 * The schemas say the same ({@code defs.json#/$defs/name}); a test keeps the two equal.
 */
public final class Names {

    public static final int MAX_LENGTH = 128;
    /** The pattern, as written in {@code defs.json}. */
    public static final String REGEX = "^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_LENGTH - 1) + "}$";
    private static final Pattern PATTERN = Pattern.compile(REGEX);

    private Names() {
    }

    public static boolean valid(String name) {
        return name != null && PATTERN.matcher(name).matches();
    }

    /**
     * Returns {@code name} if it is valid.
     *
     * @param what what the name names, for the message, e.g. {@code "host name"}
     * @throws IllegalArgumentException naming the rule, when it is not
     */
    public static String require(String what, String name) {
        if (!valid(name)) {
            throw new IllegalArgumentException(what + " " + FreeText.quote(name) + " is not a valid name: " + RULE);
        }
        return name;
    }

    /** The rule in words, for error messages. */
    public static final String RULE = "use 1 to " + MAX_LENGTH + " ASCII letters, digits, '.', '_' or '-', "
            + "starting with a letter or digit, without '..'";
}
