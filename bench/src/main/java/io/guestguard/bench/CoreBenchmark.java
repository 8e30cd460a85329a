package io.guestguard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.guestguard.bench.Mixes.Mix;
import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.streams.StoredFormat;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.IntSupplier;

/**
 * Decisions per second of one core, on a pre-built realistic mix ({@link Mixes#randomMix}) held in
 * memory and decided single-threaded in a loop, after warm-up runs. Three ways, each over the same
 * facts from empty states:
 * <ol>
 *   <li><b>pure core</b>: {@link Decider#decide} only, states kept as objects;</li>
 *   <li><b>core + state JSON</b>: as the engine keeps state, read the guest's state from JSON bytes
 *       before and write it after every fact, with its format, as the engine stores it ({@link StoredFormat} on
 *       the engine's mapper, {@code new EventCodec().mapper()});</li>
 *   <li><b>engine's per-record work</b>: what {@code DecideProcessor} does for a record besides Kafka:
 *       decode and validate the fact, the state round trip, decide, encode every decision and
 *       command and the placement when it changed. Timed by step, to say where an engine's CPU goes.</li>
 * </ol>
 * Every run must reach the number of decisions the simulation saw, which also keeps the JIT from
 * dropping the work.
 */
final class CoreBenchmark {

    /**
     * @param guests guests in the mix
     * @param facts  facts in the mix
     * @param warmup     runs of the pure core before measuring, not counted
     * @param runs       measured runs of the pure core; the median is the figure
     * @param jsonWarmup runs of each JSON way before measuring: 20 to 40 times slower, a run is
     *                   warm-up enough for the JIT
     * @param jsonRuns   measured runs of each JSON way
     * @param seed       the mix's seed
     */
    record Options(int guests, int facts, int warmup, int runs, int jsonWarmup, int jsonRuns, long seed) {
    }

    /** Facts per second of each measured run of one way of deciding. */
    record Measurement(String name, List<Double> factsPerSecond) {
        double median() {
            return Stats.median(factsPerSecond);
        }

        String line() {
            return String.format(Locale.ROOT, "%-26s %,12.0f facts/s (median of %d runs; in thousands: %s)", name, median(),
                    factsPerSecond.size(), String.join(" ", factsPerSecond.stream()
                            .map(r -> String.format(Locale.ROOT, "%.0f", r / 1000)).toList()));
        }
    }

    /**
     * @param mix                  what was decided
     * @param pure                 the pure core
     * @param withState            the core with the state JSON round trip per fact
     * @param perRecord            the engine's per-record work without Kafka
     * @param perRecordMicrosByStep mean microseconds per fact of each step of the per-record work
     */
    record Result(Mix mix, Measurement pure, Measurement withState, Measurement perRecord,
                  Map<String, Double> perRecordMicrosByStep) {
    }

    private static final String[] STEPS = {"decode fact", "read state", "decide", "write state", "encode outputs"};

    private final Mix mix;
    private final Decider decider = new Decider(Mixes.DEFAULT_LIMIT);
    private final EventCodec codec = new EventCodec();
    private final ObjectMapper mapper = codec.mapper();
    private final StoredFormat<GuestState> stored = new StoredFormat<>(mapper, GuestState.class, GuestState.FORMAT);
    private final List<CloudEvent<Fact>> facts;
    private final int[] guestOf;
    private final byte[][] encoded;
    private final long[] stepNanos = new long[STEPS.length];

    private CoreBenchmark(Mix mix) {
        this.mix = mix;
        this.facts = mix.facts();
        Map<String, Integer> index = new HashMap<>();
        mix.states().keySet().forEach(id -> index.put(id, index.size()));
        guestOf = new int[facts.size()];
        encoded = new byte[facts.size()][];
        for (int i = 0; i < facts.size(); i++) {
            guestOf[i] = index.get(facts.get(i).guestId());
            encoded[i] = codec.encode(facts.get(i));
        }
    }

    static Result run(Options options, PrintStream out) {
        Mix mix = Mixes.randomMix(options.guests(), options.facts(), options.seed());
        out.println("mix: " + mix.summary());
        CoreBenchmark bench = new CoreBenchmark(mix);
        Measurement pure = bench.measure("pure core", options.warmup(), options.runs(), bench::pure);
        out.println(pure.line());
        Measurement withState = bench.measure("core + state JSON", options.jsonWarmup(), options.jsonRuns(),
                bench::withStateJson);
        out.println(withState.line());
        Measurement perRecord = bench.measure("engine's per-record work", options.jsonWarmup(), options.jsonRuns(),
                bench::perRecord);
        out.println(perRecord.line());
        long total = 0;
        for (long nanos : bench.stepNanos) {
            total += nanos;
        }
        Map<String, Double> micros = new java.util.LinkedHashMap<>();
        double factsDecided = (double) options.jsonRuns() * mix.facts().size();
        List<String> split = new ArrayList<>();
        for (int s = 0; s < STEPS.length; s++) {
            micros.put(STEPS[s], bench.stepNanos[s] / 1000.0 / factsDecided);
            split.add(String.format(Locale.ROOT, "%s %.2f µs (%.0f%%)", STEPS[s], micros.get(STEPS[s]),
                    100.0 * bench.stepNanos[s] / total));
        }
        out.println("  per-record work by step, per fact: " + String.join(", ", split));
        return new Result(mix, pure, withState, perRecord, micros);
    }

    private Measurement measure(String name, int warmup, int runs, IntSupplier oneRun) {
        for (int i = 0; i < warmup; i++) {
            check(name, oneRun.getAsInt());
        }
        java.util.Arrays.fill(stepNanos, 0);
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            int decisions = oneRun.getAsInt();
            long nanos = System.nanoTime() - start;
            check(name, decisions);
            rates.add(facts.size() / (nanos / 1e9));
        }
        return new Measurement(name, rates);
    }

    private void check(String name, int decisions) {
        if (decisions != mix.decisions()) {
            throw new IllegalStateException(name + ": " + decisions + " decisions, but the simulation saw "
                    + mix.decisions() + ": the decider is not deterministic over this mix");
        }
    }

    /** The pure core: states stay objects. Returns the decisions taken. */
    private int pure() {
        GuestState[] states = new GuestState[mix.states().size()];
        java.util.Arrays.fill(states, GuestState.EMPTY);
        int decisions = 0;
        for (int i = 0; i < guestOf.length; i++) {
            int guest = guestOf[i];
            Outcome outcome = decider.decide(states[guest], facts.get(i), facts.get(i).time());
            states[guest] = outcome.state();
            decisions += outcome.decisions().size();
        }
        return decisions;
    }

    /** As the engine keeps state: JSON bytes per guest, read before and written after each fact. */
    private int withStateJson() {
        byte[][] stored = new byte[mix.states().size()][];
        int decisions = 0;
        for (int i = 0; i < guestOf.length; i++) {
            int guest = guestOf[i];
            Outcome outcome = decider.decide(read(stored[guest]), facts.get(i), facts.get(i).time());
            stored[guest] = write(outcome.state());
            decisions += outcome.decisions().size();
        }
        return decisions;
    }

    /**
     * DecideProcessor's work on a record, without Kafka Streams: decode, state round trip, decide,
     * encode outputs (the placement only when it changed, as the processor does).
     */
    @SuppressWarnings("unchecked")
    private int perRecord() {
        byte[][] stored = new byte[mix.states().size()][];
        int decisions = 0;
        long bytesOut = 0;
        for (int i = 0; i < guestOf.length; i++) {
            int guest = guestOf[i];
            long t0 = System.nanoTime();
            CloudEvent<? extends Fact> fact = (CloudEvent<? extends Fact>) codec.decode(encoded[i]);
            long t1 = System.nanoTime();
            GuestState before = read(stored[guest]);
            long t2 = System.nanoTime();
            Outcome outcome = decider.decide(before, fact, fact.time()); // the simulated fleet's clocks are true
            long t3 = System.nanoTime();
            stored[guest] = write(outcome.state());
            long t4 = System.nanoTime();
            for (CloudEvent<Decision> decision : outcome.decisions()) {
                bytesOut += codec.encode(decision).length;
            }
            for (CloudEvent<Command> command : outcome.commands()) {
                bytesOut += codec.encode(command).length;
            }
            GuestPlacement after = placementOf(outcome.state());
            if (!after.equals(placementOf(before))) {
                bytesOut += codec.encode(new CloudEvent<>("placement-" + fact.id(), Decider.SOURCE, fact.time(),
                        fact.guestId(), null, after.host(), after.epoch(), after)).length;
            }
            long t5 = System.nanoTime();
            stepNanos[0] += t1 - t0;
            stepNanos[1] += t2 - t1;
            stepNanos[2] += t3 - t2;
            stepNanos[3] += t4 - t3;
            stepNanos[4] += t5 - t4;
            decisions += outcome.decisions().size();
        }
        return bytesOut > 0 ? decisions : -1;
    }

    /** What the placements topic carries, as the engine writes it. */
    private static GuestPlacement placementOf(GuestState state) {
        return io.guestguard.policy.core.PlacementRecord.of(state);
    }

    private GuestState read(byte[] bytes) {
        if (bytes == null) {
            return GuestState.EMPTY;
        }
        try {
            return stored.read(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] write(GuestState state) {
        return stored.write(Objects.requireNonNull(state));
    }
}
