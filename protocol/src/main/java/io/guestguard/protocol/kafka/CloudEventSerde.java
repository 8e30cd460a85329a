package io.guestguard.protocol.kafka;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for GuestGuard CloudEvents (structured JSON mode), on top of {@link EventCodec}. The
 * deserializer throws a {@link SerializationException} whose cause is the
 * {@link RejectedRecordException} with the reason; consumers that must dead-letter the original bytes
 * read {@code byte[]} and decode with {@link EventCodec} themselves.
 */
public final class CloudEventSerde implements Serde<CloudEvent<?>> {

    private final EventCodec codec;

    public CloudEventSerde() {
        this(new EventCodec());
    }

    public CloudEventSerde(EventCodec codec) {
        this.codec = codec;
    }

    @Override
    public Serializer<CloudEvent<?>> serializer() {
        return (topic, event) -> event == null ? null : codec.encode(event);
    }

    @Override
    public Deserializer<CloudEvent<?>> deserializer() {
        return (topic, bytes) -> {
            try {
                return codec.decode(bytes);
            } catch (RejectedRecordException e) {
                throw new SerializationException("record on " + topic + " rejected: " + e.reason(), e);
            }
        };
    }
}
