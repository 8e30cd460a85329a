package io.guestguard.cli;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.DeadLetter;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.RejectedRecordException;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.history.LoggedEvent;
import io.guestguard.protocol.kafka.KafkaClientSettings;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The log as it is on a broker: {@code guest-log.v1} and {@code decisions.v1}, each partition read
 * from its beginning to the end it had when the replay began (committed records only). Records the
 * engine dead-lettered are skipped here too, since it never decided on them: those that do not
 * decode, and those its dead letters name (refused signatures, copies, failed processing). Each fact's
 * decision time is its record's timestamp, the one the engine's decider read: on a
 * {@code LogAppendTime} guest log the broker's append time; on a log written to a {@code CreateTime}
 * topic (before decision times were the broker's), the time its producer gave the record.
 */
final class BrokerLog implements EventLog {

    private final KafkaClientSettings kafka;
    private final Topics topics;
    private final String guest;
    private final Duration timeout;
    private final EventCodec codec = new EventCodec();
    private Long size;

    BrokerLog(KafkaClientSettings kafka, Topics topics, String guest, Duration timeout) {
        this.kafka = kafka;
        this.topics = topics;
        this.guest = guest;
        this.timeout = timeout;
    }

    @Override
    public void facts(Consumer<LoggedEvent> sink) {
        Set<String> refused = refusedByTheEngine();
        read(topics.guestLog(), logged -> {
            if (!refused.contains(logged.where())) {
                sink.accept(logged);
            }
        });
    }

    /**
     * Where on the guest log the engine dead-lettered a record ({@code topic-partition@offset}), as its
     * dead letters say: records that decode but that it refused (unsigned, not authorized, a copy) or
     * could not process. It decided nothing on them, so neither does the replay.
     */
    private Set<String> refusedByTheEngine() {
        Set<String> refused = new HashSet<>();
        try (TopicScan scan = new TopicScan(kafka, timeout)) {
            scan.readAll(topics.deadLetter(), record -> {
                DeadLetter.Letter letter = DeadLetter.read(record.headers());
                if ("policy-engine".equals(letter.service()) && topics.guestLog().equals(letter.topic())) {
                    refused.add(letter.where());
                }
            });
        }
        return refused;
    }

    @Override
    public Map<String, CloudEvent<Decision>> decisions() {
        Map<String, CloudEvent<Decision>> decisions = new HashMap<>();
        read(topics.decisions(), logged -> EventLog.keepDecision(decisions, logged));
        return decisions;
    }

    @Override
    public OptionalLong size() {
        if (size == null) {
            try (TopicScan scan = new TopicScan(kafka, timeout)) {
                size = scan.size(topics.guestLog());
            }
        }
        return OptionalLong.of(size);
    }

    /** Reads every partition of {@code topic} to the end it has now, one partition after the other. */
    private void read(String topic, Consumer<LoggedEvent> sink) {
        try (TopicScan scan = new TopicScan(kafka, timeout)) {
            scan.readAll(topic, record -> {
                if (guest != null && !guest.equals(record.key())) {
                    return;
                }
                try {
                    sink.accept(new LoggedEvent(codec.decode(record.value(), record.headers()),
                            new TopicPartition(topic, record.partition()) + "@" + record.offset(), record.offset(),
                            Instant.ofEpochMilli(record.timestamp())));
                } catch (RejectedRecordException e) {
                    // dead-lettered by the engine as well: not part of what it decided on
                }
            });
        }
    }
}
