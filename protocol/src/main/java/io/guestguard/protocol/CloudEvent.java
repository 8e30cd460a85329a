package io.guestguard.protocol;

import java.time.Instant;
import java.util.Objects;

/**
 * A CloudEvents 1.0 event as GuestGuard puts it on the wire (structured JSON mode). The {@code type}
 * follows from the payload; the GuestGuard extension attributes are {@code guestid}, {@code guestseq}
 * (a per-guest sequence number from the reporter), {@code hostid} and {@code epoch} (the placement
 * epoch), and the CloudEvents distributed-tracing extension's {@code traceparent} (the W3C trace of
 * the chain the event belongs to), each optional.
 *
 * @param id unique id of this event; for a command, also the command id
 * @param source URI-reference of the producer, e.g. {@code /guest/g1/reporter}
 * @param time when it happened, by the producer's clock
 * @param guestId the guest concerned, or {@code null} (host heartbeats)
 * @param guestSeq the reporter's per-guest sequence number, or {@code null}
 * @param hostId the host concerned, or {@code null}
 * @param epoch the placement epoch, or {@code null}
 * @param traceparent the trace this event belongs to, or {@code null}
 * @param data the payload
 */
public record CloudEvent<D extends Payload>(String id, String source, Instant time, String guestId,
                                            Long guestSeq, String hostId, Long epoch, Traceparent traceparent, D data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/cloudevents+json";

    /** The largest {@code guestseq} or {@code epoch}: what a JSON reader in any language holds exactly. */
    public static final long MAX_NUMBER = (1L << 53) - 1;

    /**
     * @throws IllegalArgumentException when an attribute breaks the wire rules ({@link Ids}, {@link Names},
     *                                  numbers within 0..{@link #MAX_NUMBER}), so that nothing invalid is written
     */
    public CloudEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
        if (!Ids.valid(id)) {
            throw new IllegalArgumentException("event id " + FreeText.quote(id) + " is not a valid id");
        }
        if (source.isEmpty() || source.length() > 255 || !visibleAscii(source)) {
            throw new IllegalArgumentException("source " + FreeText.quote(source) + " is not 1 to 255 visible ASCII characters");
        }
        if (guestId != null) {
            Names.require("guest id", guestId);
        }
        if (hostId != null) {
            Names.require("host id", hostId);
        }
        requireNumber("guestseq", guestSeq);
        requireNumber("epoch", epoch);
    }

    /** An event without a trace; {@link #withTraceparent} gives it one. */
    public CloudEvent(String id, String source, Instant time, String guestId, Long guestSeq, String hostId, Long epoch, D data) {
        this(id, source, time, guestId, guestSeq, hostId, epoch, null, data);
    }

    private static boolean visibleAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static void requireNumber(String what, Long value) {
        if (value != null && (value < 0 || value > MAX_NUMBER)) {
            throw new IllegalArgumentException(what + " " + value + " is outside 0.." + MAX_NUMBER);
        }
    }

    /** A guest's event, without sequence number, host or epoch. */
    public static <D extends Payload> CloudEvent<D> ofGuest(String id, String source, Instant time, String guestId, D data) {
        return new CloudEvent<>(id, source, time, guestId, null, null, null, data);
    }

    /** The CloudEvents {@code type} attribute, given by the payload. */
    public String type() {
        return EventType.of(data).type();
    }

    /** The Kafka record key: the guest id, or the host id for host records. */
    public String key() {
        return guestId != null ? guestId : hostId;
    }

    public CloudEvent<D> withGuestSeq(long seq) {
        return new CloudEvent<>(id, source, time, guestId, seq, hostId, epoch, traceparent, data);
    }

    /** This event in the trace {@code trace} ({@code null}: in none). */
    public CloudEvent<D> withTraceparent(Traceparent trace) {
        return new CloudEvent<>(id, source, time, guestId, guestSeq, hostId, epoch, trace, data);
    }
}
