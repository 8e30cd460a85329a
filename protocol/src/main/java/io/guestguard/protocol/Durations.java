package io.guestguard.protocol;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of package files and command options: a whole number and a unit,
 * {@code ms}, {@code s}, {@code m} or {@code h} ({@code 500ms}, {@code 30s}, {@code 10m},
 * {@code 1h}). Whole numbers only, so a value means exactly what it says; {@code 1500ms} covers the
 * fractions. A unit is required because a bare {@code 600} is ambiguous between Serviceguard's
 * seconds and Kafka's milliseconds.
 */
public final class Durations {

    /** How to write a duration, for the fix part of an error message. */
    public static final String SYNTAX = "write a whole number with ms, s, m or h, e.g. 500ms, 30s, 10m, 1h";

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Durations() {
    }

    /** The duration in milliseconds, or empty when {@code text} is not a duration (or overflows). */
    public static OptionalLong parseMillis(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        long unit = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        try {
            return OptionalLong.of(Math.multiplyExact(Long.parseLong(m.group(1)), unit));
        } catch (ArithmeticException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Milliseconds in the largest unit that divides them evenly, for messages: 600000 → {@code 10m}. */
    public static String format(long millis) {
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + "s";
        }
        return millis + "ms";
    }
}
