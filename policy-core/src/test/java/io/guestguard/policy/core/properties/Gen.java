package io.guestguard.policy.core.properties;

import io.guestguard.policy.core.FleetView;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PackageSpec.AppPolicy;
import io.guestguard.protocol.PackageSpec.Backoff;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The generators: a random guest package, the fleet loads the decider sees, and the two kinds of
 * script: {@link Noise} (hostile facts, resolved against the decider's state as the run goes) and
 * {@link Move} (what the well-behaved simulated fleet does next, see {@link FleetScript}). Scripts are plain data, so jqwik can
 * shrink them; every selector shrinks towards 0, which always means the most ordinary choice.
 */
final class Gen {

    static final String GUEST = "g1";
    /** The hosts of the fleet; a package lists 2 to 4 of them, so at least one is always unlisted. */
    static final List<String> FLEET = List.of("h1", "h2", "h3", "h4", "h5");
    static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private Gen() {
    }

    // ---- packages and fleet views ----

    static Arbitrary<PackageSpec> packages() {
        Arbitrary<List<String>> hosts = Arbitraries.of(FLEET).list().uniqueElements().ofMinSize(2).ofMaxSize(4);
        Arbitrary<List<AppPolicy>> apps = appPolicy().list().ofMinSize(1).ofMaxSize(3).map(Gen::named);
        return Combinators.combine(hosts, Arbitraries.of(PackageSpec.FailoverPolicy.class),
                        Arbitraries.of(PackageSpec.FailbackPolicy.class), Arbitraries.of(true, false),
                        Arbitraries.of(true, false), apps)
                .as((h, failover, failback, autoRun, waitForFence, a) ->
                        new PackageSpec(GUEST, h, failover, failback, autoRun, waitForFence, a));
    }

    private static Arbitrary<AppPolicy> appPolicy() {
        Arbitrary<Integer> limit = Arbitraries.integers().between(0, 4).injectNull(0.2); // null: unlimited
        Arbitrary<Long> window = Arbitraries.longs().between(1_000, 60_000).injectNull(0.5);
        Arbitrary<Backoff> backoff = Arbitraries.oneOf(Arbitraries.just(Backoff.NONE),
                Combinators.combine(Arbitraries.longs().between(0, 2_000), Arbitraries.doubles().between(1, 3),
                        Arbitraries.longs().between(0, 10_000)).as(Backoff::new));
        return Combinators.combine(limit, window, backoff)
                .as((l, w, b) -> new AppPolicy("?", l, w, b));
    }

    private static List<AppPolicy> named(List<AppPolicy> apps) {
        List<AppPolicy> named = new ArrayList<>();
        for (int i = 0; i < apps.size(); i++) {
            AppPolicy a = apps.get(i);
            named.add(new AppPolicy("app" + (i + 1), a.restartLimit(), a.failureWindowMs(),
                    a.backoff()));
        }
        return named;
    }

    /** One to three fleet views; step {@code i} of a run sees view {@code i mod n}. */
    static Arbitrary<List<FleetView>> views() {
        return Arbitraries.integers().between(0, 5).list().ofSize(FLEET.size()).map(loads -> {
            Map<String, Integer> m = new TreeMap<>();
            for (int i = 0; i < FLEET.size(); i++) {
                m.put(FLEET.get(i), loads.get(i));
            }
            return new FleetView(m);
        }).list().ofMinSize(1).ofMaxSize(3);
    }

    // ---- hostile facts ----

    /** A kind of fact in a hostile sequence; resolution picks hosts, epochs and pids at run time. */
    enum NoiseKind {
        APP_FAILED, APP_FAILED_SAME_PID, APP_STARTED, APP_STOPPED, PACKAGE_APPLIED, GUEST_STARTED, GUEST_HALTED,
        GUEST_START_FAILED, GUEST_HALT_FAILED, MIGRATION_STARTED, MIGRATION_COMPLETED, MIGRATION_FAILED, HOST_LOST,
        HOST_FENCED, HOST_AVAILABLE, OPERATOR_REQUEST, COMMAND_REFUSED, RESEND
    }

    /**
     * One hostile fact, symbolically: which host (the placed one, the next one, a listed or an
     * unlisted one), which epoch (current, old, future or none), a kind-specific choice (app,
     * operator action, package variant, how far back to resend) and whether its time goes back.
     */
    record Noise(NoiseKind kind, int host, int epoch, int other, int time) {
    }

    static Arbitrary<List<Noise>> noise() {
        Arbitrary<NoiseKind> kind = Arbitraries.frequency(
                Tuple.of(14, NoiseKind.APP_FAILED),
                Tuple.of(3, NoiseKind.APP_FAILED_SAME_PID),
                Tuple.of(2, NoiseKind.APP_STARTED),
                Tuple.of(1, NoiseKind.APP_STOPPED),
                Tuple.of(2, NoiseKind.PACKAGE_APPLIED),
                Tuple.of(12, NoiseKind.GUEST_STARTED),
                Tuple.of(8, NoiseKind.GUEST_HALTED),
                Tuple.of(4, NoiseKind.GUEST_START_FAILED),
                Tuple.of(4, NoiseKind.GUEST_HALT_FAILED),
                Tuple.of(2, NoiseKind.MIGRATION_STARTED),
                Tuple.of(5, NoiseKind.MIGRATION_COMPLETED),
                Tuple.of(2, NoiseKind.MIGRATION_FAILED),
                Tuple.of(5, NoiseKind.HOST_LOST),
                Tuple.of(5, NoiseKind.HOST_FENCED),
                Tuple.of(5, NoiseKind.HOST_AVAILABLE),
                Tuple.of(10, NoiseKind.OPERATOR_REQUEST),
                Tuple.of(3, NoiseKind.COMMAND_REFUSED),
                Tuple.of(4, NoiseKind.RESEND));
        Arbitrary<Integer> choice = Arbitraries.integers().between(0, 99);
        return Combinators.combine(kind, choice, choice, choice, choice).as(Noise::new).list().ofMinSize(20).ofMaxSize(200)
                .withSizeDistribution(RandomDistribution.uniform());
    }

    // ---- a well-behaved world ----

    /** What the simulated fleet does next. */
    enum MoveKind {
        /** The decider reads the next fact of the guest's log. */
        DECIDE,
        /** A supervisor (or the guest reporter) carries out its next command, sometimes failing. */
        SERVE,
        /** An application crashes (a new pid). */
        APP_FAIL,
        /** The reporter reports the last crash again, under a new event id (same pid). */
        APP_FAIL_AGAIN,
        /** The guest itself goes down on its host. */
        GUEST_CRASH,
        /** A host dies with everything on it; the detector reports it lost. */
        HOST_CRASH,
        /** A host is cut off (its guest keeps running); the detector reports it lost. */
        HOST_PARTITION,
        /** A crashed or cut-off host is back. */
        HOST_RECOVER,
        MIGRATE_BEGIN,
        MIGRATE_END,
        OPERATOR,
        /** An operator stops or starts one application (cmhaltserv, cmrunserv). */
        APP_REQUEST,
        /** An outbox resends one of the latest facts with its original id. */
        RESEND,
        /** The package is applied again (auto_run and failback may change). */
        REAPPLY
    }

    record Move(MoveKind kind, int a, int b) {
    }

    static Arbitrary<List<Move>> moves() {
        Arbitrary<MoveKind> kind = Arbitraries.frequency(
                Tuple.of(30, MoveKind.DECIDE),
                Tuple.of(24, MoveKind.SERVE),
                Tuple.of(12, MoveKind.APP_FAIL),
                Tuple.of(2, MoveKind.APP_FAIL_AGAIN),
                Tuple.of(2, MoveKind.GUEST_CRASH),
                Tuple.of(3, MoveKind.HOST_CRASH),
                Tuple.of(2, MoveKind.HOST_PARTITION),
                Tuple.of(4, MoveKind.HOST_RECOVER),
                Tuple.of(4, MoveKind.MIGRATE_BEGIN),
                Tuple.of(5, MoveKind.MIGRATE_END),
                Tuple.of(6, MoveKind.OPERATOR),
                Tuple.of(4, MoveKind.APP_REQUEST),
                Tuple.of(2, MoveKind.RESEND),
                Tuple.of(1, MoveKind.REAPPLY));
        Arbitrary<Integer> choice = Arbitraries.integers().between(0, 99);
        return Combinators.combine(kind, choice, choice).as(Move::new).list().ofMinSize(20).ofMaxSize(200)
                .withSizeDistribution(RandomDistribution.uniform());
    }
}
