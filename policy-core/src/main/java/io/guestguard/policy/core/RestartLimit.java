package io.guestguard.policy.core;

/**
 * Serviceguard's {@code service_restart}: how many times an application may be restarted in place.
 *
 * @param max the most restarts allowed, or {@code null} for unlimited
 */
public record RestartLimit(Integer max) {

    public static final RestartLimit UNLIMITED = new RestartLimit(null);
    public static final RestartLimit NONE = new RestartLimit(0);

    public RestartLimit {
        if (max != null && max < 0) {
            throw new IllegalArgumentException("restart limit must be none, unlimited or a number >= 0, not " + max);
        }
    }

    /** Parses {@code none}, {@code unlimited} or a non-negative number. */
    public static RestartLimit parse(String text) {
        String value = text.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (value) {
            case "none" -> NONE;
            case "unlimited" -> UNLIMITED;
            default -> {
                try {
                    yield new RestartLimit(Integer.parseInt(value));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("restart limit must be none, unlimited or a number >= 0, not '" + text + "'");
                }
            }
        };
    }

    /** Whether restart number {@code attempt} (starting at 1) is within the limit. */
    public boolean allows(int attempt) {
        return max == null || attempt <= max;
    }

    @Override
    public String toString() {
        return max == null ? "unlimited" : max.toString();
    }
}
