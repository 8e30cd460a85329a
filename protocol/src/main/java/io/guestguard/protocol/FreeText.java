package io.guestguard.protocol;

/**
 * Sentences for people that travel on the wire: reasons, details, refusals. No control characters
 * (a newline in a reason would forge a log line), at most {@value #MAX_LENGTH} characters, as in
 * {@code defs.json#/$defs/text}. Writers {@link #clean} what they did not write themselves (an
 * exception's message, a hypervisor's error), so that what they send always passes every reader's
 * check.
 */
public final class FreeText {

    public static final int MAX_LENGTH = 2048;

    private FreeText() {
    }

    /**
     * {@code text} with each control character replaced by a space, cut to {@value #MAX_LENGTH}
     * characters (ending in {@code …}), and {@code "?"} for an empty or missing text.
     */
    public static String clean(String text) {
        if (text == null || text.isBlank()) {
            return "?";
        }
        if (text.length() <= MAX_LENGTH && !hasControl(text)) {
            return text; // already clean, as nearly every decision's reason is
        }
        StringBuilder clean = new StringBuilder(Math.min(text.length(), MAX_LENGTH));
        for (int i = 0; i < text.length() && clean.length() < MAX_LENGTH; i++) {
            char c = text.charAt(i);
            clean.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        if (text.length() > MAX_LENGTH) {
            clean.setCharAt(MAX_LENGTH - 1, '…');
        }
        return clean.toString();
    }

    private static boolean hasControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code value} in single quotes for a message about it, its control characters escaped and cut
     * to 80 characters, since it may come from anyone.
     */
    public static String quote(String value) {
        if (value == null) {
            return "(none)";
        }
        StringBuilder quoted = new StringBuilder("'");
        for (int i = 0; i < value.length() && i < 80; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append(value.length() > 80 ? "…'" : "'").toString();
    }
}
