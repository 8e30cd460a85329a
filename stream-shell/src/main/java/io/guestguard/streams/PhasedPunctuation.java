package io.guestguard.streams;

import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.ProcessorContext;

import java.time.Duration;

/**
 * A wall-clock punctuation once per multiple of its interval, on the same phase in every task: the
 * punctuator runs at the first look after each multiple, within {@link #ALIGNED_WITHIN} of it (or a
 * tenth of a shorter interval) when the stream thread is on time, and never twice for one multiple.
 *
 * <p>Why not {@link ProcessorContext#schedule} alone: Kafka Streams commits a task's offsets in a
 * transaction after every punctuation, even one that wrote nothing, and a task's punctuations fall on
 * the phase of its start. Tasks of one instance on phases of their own then commit one transaction
 * each per interval, and looking more often than the interval, to keep them in step, costs a
 * transaction at every look (docs/benchmarks.md, "Idle transactions"). So this looks once right after
 * it is scheduled, then at the next multiple, and from a look that came within that margin after a
 * multiple, once per interval on that phase; a later look waits for the next multiple again. The
 * tasks of an instance then punctuate within that margin of each other, and commit together.
 */
public final class PhasedPunctuation {
    /** How close after a multiple the phase is taken: a few of the stream thread's polls ({@code poll.ms=5}). */
    public static final Duration ALIGNED_WITHIN = Duration.ofMillis(10);

    private final ProcessorContext<?, ?> context;
    private final long intervalMs;
    private final long withinMs;
    private final Punctuator punctuator;
    /** The look due soon or at the next multiple, until one comes on time after a multiple. */
    private Cancellable toNextMultiple;
    /** The multiple of the interval the punctuator last ran for (-1: never). */
    private long lastSlot = -1;

    private PhasedPunctuation(ProcessorContext<?, ?> context, Duration interval, Punctuator punctuator) {
        this.context = context;
        this.intervalMs = interval.toMillis();
        if (intervalMs < 1) {
            throw new IllegalArgumentException("a punctuation interval of at least 1 ms, not " + interval);
        }
        this.withinMs = Math.max(1, Math.min(ALIGNED_WITHIN.toMillis(), intervalMs / 10));
        this.punctuator = punctuator;
        // The first look soon: a task's clock is not set while it initialises its processors.
        toNextMultiple = context.schedule(Duration.ofMillis(withinMs), PunctuationType.WALL_CLOCK_TIME, this::atMultiple);
    }

    /** Schedules {@code punctuator} in {@code context} (from the processor's {@code init}). */
    public static void schedule(ProcessorContext<?, ?> context, Duration interval, Punctuator punctuator) {
        new PhasedPunctuation(context, interval, punctuator);
    }

    private void lookAtNextMultiple(long now) {
        toNextMultiple = context.schedule(Duration.ofMillis(intervalMs - Math.floorMod(now, intervalMs)),
                PunctuationType.WALL_CLOCK_TIME, this::atMultiple);
    }

    private void atMultiple(long now) {
        toNextMultiple.cancel();
        if (Math.floorMod(now, intervalMs) < withinMs) {
            context.schedule(Duration.ofMillis(intervalMs), PunctuationType.WALL_CLOCK_TIME, this::look);
        } else {
            lookAtNextMultiple(now); // a phase taken this late would stay late
        }
        look(now);
    }

    private void look(long now) {
        long slot = Math.floorDiv(now, intervalMs);
        if (slot != lastSlot) {
            lastSlot = slot;
            punctuator.punctuate(now);
        }
    }
}
