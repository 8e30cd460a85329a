package io.guestguard.console;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * One decision as the console's timeline shows it. Every field comes from a record that decoded
 * (so names are valid names and texts bounded); the pages escape them all the same.
 *
 * @param id the decision's event id
 * @param time the decision's time (the broker's time of its fact)
 * @param guest the guest it is about
 * @param app the application it is about, or {@code null}
 * @param action what it does, in lower case ({@code restart_app}, {@code failover}, ...)
 * @param reason its reason text
 * @param causeIds the ids of the facts that caused it
 * @param trace the W3C trace id it carries from its fact, or {@code null} (decided before traces)
 */
public record TimelineEntry(String id, Instant time, String guest, String app, String action, String reason,
                            List<String> causeIds, String trace) {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    static TimelineEntry of(CloudEvent<Decision> event) {
        Decision d = event.data();
        return new TimelineEntry(event.id(), event.time(), event.guestId(), d.app(),
                d.action().name().toLowerCase(java.util.Locale.ROOT), d.reason().text(), d.causeIds(),
                event.traceparent() == null ? null : event.traceparent().traceId());
    }

    /** {@code g1/app1}, or {@code g1} for a decision about the whole guest. */
    public String subject() {
        return app == null ? guest : guest + "/" + app;
    }

    /** The time of day, UTC, to the millisecond. */
    public String clock() {
        return CLOCK.format(time);
    }
}
