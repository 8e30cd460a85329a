package io.guestguard.protocol;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** An event's time is read as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} reads it: the same instant, or refused. */
class EventTimeTest {

    @Test
    void theFormEveryWriterUsesIsReadWithoutTheFormatterAndTheSame() {
        Instant written = Instant.parse("2026-12-07T10:15:30.123Z");

        assertThat(EventTime.common(written.toString())).isEqualTo(written);
        assertThat(EventTime.common("2026-12-07T11:15:30.123+01:00")).isEqualTo(written);
        assertThat(EventTime.common("2026-12-07T10:15:30.123456789Z")).isEqualTo(Instant.parse("2026-12-07T10:15:30.123456789Z"));
    }

    @Test
    void edgeCasesAreAnsweredAsTheFormatterAnswersThem() {
        List<String> texts = new ArrayList<>(List.of("", "2026-12-07T10:15:30Z", "2026-12-07T10:15Z", "2026-12-07t10:15:30z",
                "2026-12-07T10:15:30.Z", "2026-12-07T10:15:30.1234567891Z", "2026-12-07T10:15:30.123", "2026-12-07T10:15:30",
                "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
                "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z",
                "2026-12-07T24:00:00Z", "2026-12-07T23:60:00Z", "2026-12-07T23:59:60Z", "0000-01-01T00:00:00Z",
                "+2026-12-07T10:15:30Z", "12026-12-07T10:15:30Z", "2026-12-07T10:15:30+18:00", "2026-12-07T10:15:30-18:00",
                "2026-12-07T10:15:30+17:59", "2026-12-07T10:15:30+18:01", "2026-12-07T10:15:30+19:00", "2026-12-07T10:15:30-00:00",
                "2026-12-07T10:15:30+00:00", "2026-12-07T10:15:30+01:60", "2026-12-07T10:15:30+0100", "2026-12-07T10:15:30+01",
                "2026-12-07T10:15:30+01:00:30", "2026-12-07T10:15:30+01:00Z", "2026-12-07T10:15:30ZZ", "2026-12-07 10:15:30Z",
                "2026-12-07T10:15:30.123+01:00", "2026-12-07T10:15:30\u0661Z", "２026-12-07T10:15:30Z", "9999-12-31T23:59:59.999Z"));
        Random random = new Random(18);
        String alphabet = "0123456789-T:.Z+zt ";
        for (int i = 0; i < 200_000; i++) {
            char[] text = texts.get(2 + random.nextInt(texts.size() - 2)).toCharArray();
            if (text.length == 0) {
                continue;
            }
            // One to three characters of a well-formed time changed: mostly digits, so that many still read.
            for (int changes = 1 + random.nextInt(3); changes > 0; changes--) {
                text[random.nextInt(text.length)] = alphabet.charAt(random.nextInt(random.nextInt(3) == 0 ? alphabet.length() : 10));
            }
            texts.add(new String(text));
        }

        for (String text : texts) {
            Optional<Instant> formatter = formatter(text);
            Instant common = EventTime.common(text);
            if (common != null) {
                assertThat(formatter).as(text).contains(common);
            }
            assertThat(read(text)).as(text).isEqualTo(formatter);
        }
    }

    private static Optional<Instant> read(String text) {
        try {
            return Optional.of(EventTime.parse(text));
        } catch (java.time.DateTimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> formatter(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (java.time.DateTimeException e) {
            return Optional.empty();
        }
    }
}
