package io.guestguard.streams;

import io.guestguard.protocol.trust.ReplayGuard;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Instant;

/** Where a processor's current record was read, for the gate's replay check ({@link ReplayGuard}). */
public final class RecordOrigin {

    private RecordOrigin() {
    }

    /** The current record's topic, partition, offset and timestamp; null for a record a punctuation made. */
    public static ReplayGuard.Origin of(ProcessorContext<?, ?> context, Record<?, ?> record) {
        return context.recordMetadata()
                .map(m -> new ReplayGuard.Origin(m.topic(), m.partition(), m.offset(), Instant.ofEpochMilli(record.timestamp())))
                .orElse(null);
    }
}
