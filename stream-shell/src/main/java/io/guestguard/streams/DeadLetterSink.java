package io.guestguard.streams;

import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.DeadLetterCounts;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a stream processor dead-letters the record in hand: the original key, value and timestamp to
 * its dead-letter sink, with the reason and the record's origin in the headers ({@link DeadLetter}),
 * within the task's transaction. The log says so at the 1st, 2nd, 4th, 8th… dead letter of the
 * processor, with the count: every record has its reason in the topic, and a flood of forged records
 * must not become a flood of log lines. Each one is counted by its reason's kind ({@link DeadLetterCounts}).
 */
public final class DeadLetterSink {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSink.class);

    private final ProcessorContext<String, byte[]> context;
    private final String sink;
    private final String service;
    private final DeadLetterCounts counts;
    private long count;

    /**
     * @param sink the processor's sink node for {@code dead-letter.v1}
     * @param service the service named in each dead letter, e.g. {@code policy-engine}
     */
    public DeadLetterSink(ProcessorContext<String, byte[]> context, String sink, String service) {
        this.context = context;
        this.sink = sink;
        this.service = service;
        this.counts = DeadLetterCounts.of(service);
    }

    /** Dead-letters {@code record}, the one being processed, for {@code reason}. */
    public void forward(Record<String, byte[]> record, String reason) {
        RecordMetadata origin = context.recordMetadata().orElseThrow();
        if (Long.bitCount(++count) == 1) {
            LOG.warn("dead-lettering {}-{}@{} ({} dead-lettered by this processor so far): {}", origin.topic(),
                    origin.partition(), origin.offset(), count, reason);
        }
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(),
                DeadLetter.headers(record.headers(), reason, origin.topic(), origin.partition(), origin.offset(), service)), sink);
        counts.count(reason);
    }
}
