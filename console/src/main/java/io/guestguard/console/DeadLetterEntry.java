package io.guestguard.console;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.DeadLetter;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One dead letter as the console's dead-letter page shows it. The headers are a service's words and the
 * original record anyone's: every text is shown escaped, and what is missing is {@code null}.
 *
 * @param id where the letter itself is, {@code dead-letter.v1-PARTITION@OFFSET}: its id on the page and in the events
 * @param time when it was written (its record's time)
 * @param service the service that refused the record
 * @param reason why
 * @param topic the original record's topic
 * @param partition its partition
 * @param offset its offset
 * @param key the original record's key
 * @param type the original event's type, when it decodes
 * @param eventId the original event's id, when it decodes
 * @param guest the original event's guest, when it decodes and names one
 */
public record DeadLetterEntry(String id, Instant time, String service, String reason, String topic, Integer partition, Long offset,
                              String key, String type, String eventId, String guest) {

    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** A letter, with what its original record says of itself if it decodes ({@code event}, else {@code null}). */
    static DeadLetterEntry of(String id, Instant time, DeadLetter.Letter letter, String key, CloudEvent<?> event) {
        return new DeadLetterEntry(id, time, letter.service(), letter.reason(), letter.topic(), letter.partition(), letter.offset(), key,
                event == null ? null : event.type(), event == null ? null : event.id(), event == null ? null : event.guestId());
    }

    /** Its time, UTC, to the millisecond. */
    public String at() {
        return AT.format(time);
    }

    /** The original record's place, {@code topic-partition@offset}, with {@code ?} for what the letter does not say. */
    public String origin() {
        return (topic == null ? "?" : topic) + "-" + (partition == null ? "?" : partition) + "@" + (offset == null ? "?" : offset);
    }

    /** The original event's type, short ({@code host.lost}), or {@code null} when it does not decode. */
    public String shortType() {
        return type == null ? null : HistoryView.shortType(type);
    }

    /** Whether {@code reason} (any case, any part of it; none: every letter) and {@code service} (exactly; none: every one) match. */
    boolean matches(String reasonPart, String byService) {
        return (byService == null || byService.isEmpty() || byService.equals(service))
                && (reasonPart == null || reasonPart.isEmpty()
                || reason != null && reason.toLowerCase(java.util.Locale.ROOT).contains(reasonPart.toLowerCase(java.util.Locale.ROOT)));
    }
}
