package io.guestguard.policy.core;

import java.time.Instant;

/**
 * {@link Instant#toString()}'s text (ISO-8601 in UTC, the fraction in groups of three digits as
 * needed), written without {@code DateTimeFormatter}: every fact's duplicate key includes its time
 * ({@link RecentFacts#key}), and the formatter's general machinery cost more than the digest. Years
 * outside 1970 to 9999 are left to {@code toString()}.
 */
final class InstantText {

    /** 10000-01-01T00:00:00Z in epoch seconds. */
    private static final long YEAR_10000 = 253_402_300_800L;

    private InstantText() {
    }

    static String of(Instant instant) {
        return appendTo(new StringBuilder(30), instant).toString();
    }

    /** {@code text} with {@code instant}'s text appended. */
    static StringBuilder appendTo(StringBuilder text, Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) {
            return text.append(instant);
        }
        long days = seconds / 86_400;
        int secondOfDay = (int) (seconds % 86_400);
        // Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
        long z = days + 719_468;
        long era = z / 146_097;
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));

        digits(text, year, 4).append('-');
        digits(text, month, 2).append('-');
        digits(text, day, 2).append('T');
        digits(text, secondOfDay / 3600, 2).append(':');
        digits(text, secondOfDay / 60 % 60, 2).append(':');
        digits(text, secondOfDay % 60, 2);
        int nanos = instant.getNano();
        if (nanos != 0) {
            text.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(text, nanos / 1_000_000, 3);
            } else if (nanos % 1000 == 0) {
                digits(text, nanos / 1000, 6);
            } else {
                digits(text, nanos, 9);
            }
        }
        return text.append('Z');
    }

    /** {@code value}, below {@code 10^width}, in {@code width} digits, leading zeros included. */
    private static StringBuilder digits(StringBuilder text, int value, int width) {
        int end = text.length() + width;
        text.setLength(end);
        for (int i = end - 1; i >= end - width; i--) { // from the last digit: a division by the constant 10 is cheap
            text.setCharAt(i, (char) ('0' + value % 10));
            value /= 10;
        }
        return text;
    }
}
