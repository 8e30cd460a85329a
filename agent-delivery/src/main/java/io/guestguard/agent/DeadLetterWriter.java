package io.guestguard.agent;

import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.DeadLetterCounts;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * The agents' dead-letter writer: a record an agent read but cannot process goes to the dead-letter
 * topic as {@link DeadLetter} describes (original key and value, reason and origin in headers), and
 * the call returns only once Kafka has it, so the reader goes on with the next record only then.
 * (The stream processors dead-letter in the same format through their topology's sink.) Each one
 * written is counted by its reason's kind ({@link DeadLetterCounts}), for the agent's metrics.
 */
public final class DeadLetterWriter {

    private static final Logger LOG = Logger.getLogger(DeadLetterWriter.class);

    private final AckedSender sender;
    private final String deadLetterTopic;
    private final String service;
    private final DeadLetterCounts counts;

    /** @param service the writing service, in the {@link DeadLetter#SERVICE} header */
    public DeadLetterWriter(AckedSender sender, String deadLetterTopic, String service) {
        this.sender = sender;
        this.deadLetterTopic = deadLetterTopic;
        this.service = service;
        this.counts = DeadLetterCounts.of(service);
    }

    /** Dead-letters {@code record} with {@code reason}; throws as {@link AckedSender#send} does. */
    public void write(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf("dead-lettering %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), reason);
        sender.send(DeadLetter.record(deadLetterTopic, record.key(), record.value(), record.headers(), reason, record.topic(),
                record.partition(), record.offset(), service),
                "dead letter for " + record.topic() + "-" + record.partition() + "@" + record.offset());
        counts.count(reason);
    }
}
