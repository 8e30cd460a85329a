package io.guestguard.protocol;

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

    private Names() {
    }

    /** Whether {@code name} matches {@link #REGEX}, checked character by character ({@code WireRulesTest} checks it against the pattern). */
    public static boolean valid(String name) {
        return matches(name, MAX_LENGTH, NAME_CHARACTERS);
    }

    /** The ASCII characters that may start a name or an id: letters and digits. */
    static final boolean[] FIRST_CHARACTERS = characters("");
    /** The ASCII characters of a name after its first. */
    static final boolean[] NAME_CHARACTERS = characters("._-");
    /** The ASCII characters of an id after its first ({@link Ids#REGEX}). */
    static final boolean[] ID_CHARACTERS = characters("._-:@=+");

    private static boolean[] characters(String besidesLettersAndDigits) {
        boolean[] allowed = new boolean[128];
        for (char c = 0; c < 128; c++) {
            allowed[c] = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || besidesLettersAndDigits.indexOf(c) >= 0;
        }
        return allowed;
    }

    /**
     * Whether {@code text} is 1 to {@code maxLength} characters, the first a letter or digit, the rest
     * among {@code allowed}, without {@code ..}: {@link #REGEX} (or {@link Ids#REGEX}) without a regular
     * expression, which was a quarter of the decider's time (it builds two events per decision).
     */
    static boolean matches(String text, int maxLength, boolean[] allowed) {
        if (text == null || text.isEmpty() || text.length() > maxLength) {
            return false;
        }
        char first = text.charAt(0);
        if (first >= 128 || !FIRST_CHARACTERS[first]) {
            return false;
        }
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 128 || !allowed[c] || c == '.' && text.charAt(i - 1) == '.') {
                return false;
            }
        }
        return true;
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
