package io.guestguard.protocol;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many records a service dead-lettered, by {@link DeadLetterKind}: every writer of a dead letter
 * counts here (the stream processors' sink, the dead-letter net, the agents' writer), and the
 * service's shell serves the counts as {@code guestguard_dead_letters_total{service,reason}}.
 *
 * <p>One instance per service name in the process, found by name: Kafka Streams makes the dead-letter
 * net by reflection from a class name, so the net has no other way to reach what its shell serves;
 * and a process is one service, whose dead letters are a process-wide fact like its JVM's meters.
 * Plain Java, so the libraries that count stay free of any metrics framework.
 */
public final class DeadLetterCounts {

    private static final Map<String, DeadLetterCounts> BY_SERVICE = new ConcurrentHashMap<>();

    private final Map<DeadLetterKind, LongAdder> counts = new EnumMap<>(DeadLetterKind.class);

    private DeadLetterCounts() {
        for (DeadLetterKind kind : DeadLetterKind.values()) {
            counts.put(kind, new LongAdder());
        }
    }

    /** The counts of {@code service}, e.g. {@code policy-engine}. */
    public static DeadLetterCounts of(String service) {
        return BY_SERVICE.computeIfAbsent(service, s -> new DeadLetterCounts());
    }

    /** One more record dead-lettered for {@code reason}. */
    public void count(String reason) {
        counts.get(DeadLetterKind.of(reason)).increment();
    }

    /** Records dead-lettered so far for reasons of {@code kind}. */
    public long count(DeadLetterKind kind) {
        return counts.get(kind).sum();
    }
}
