package io.guestguard.protocol;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * An event's {@code time} as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} reads it, the form every
 * GuestGuard writer uses ({@code 2026-12-07T10:15:30.123Z}, or an offset {@code +01:00}) read digit by
 * digit: the formatter was a sixth of the gate's cost per record. Any other text (another form the
 * formatter also reads, or none it reads) goes to the formatter, so the answer, and the error, are the
 * formatter's; {@code EventTimeTest} compares the two.
 */
final class EventTime {

    private EventTime() {
    }

    /**
     * The instant {@code text} stands for.
     *
     * @throws DateTimeException as {@link OffsetDateTime#parse(CharSequence, DateTimeFormatter)} with
     *                           {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} throws it
     */
    static Instant parse(String text) {
        Instant common = common(text);
        return common != null ? common : OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss}, a fraction of 1 to 9 digits or none, then {@code Z} or {@code ±HH:MM}
     * below 18 hours, every field within its range; else null.
     */
    static Instant common(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > java.time.Month.of(month).length(Year.isLeap(year))
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int start = ++at;
            while (at < length && at - start < 10 && isDigit(text.charAt(at))) {
                nanos = nanos * 10 + (text.charAt(at) - '0');
                at++;
            }
            int count = at - start;
            if (count < 1 || count > 9) {
                return null;
            }
            for (int i = count; i < 9; i++) {
                nanos *= 10;
            }
        }
        ZoneOffset offset;
        if (at == length - 1 && text.charAt(at) == 'Z') {
            offset = ZoneOffset.UTC;
        } else if (at == length - 6 && (text.charAt(at) == '+' || text.charAt(at) == '-') && text.charAt(at + 3) == ':') {
            int hours = digits(text, at + 1, 2);
            int minutes = digits(text, at + 4, 2);
            if (hours < 0 || hours > 17 || minutes < 0 || minutes > 59) {
                return null;
            }
            int sign = text.charAt(at) == '-' ? -1 : 1;
            offset = ZoneOffset.ofTotalSeconds(sign * (hours * 3600 + minutes * 60));
        } else {
            return null;
        }
        return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(offset);
    }

    /** The number {@code count} ASCII digits at {@code from} make, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
