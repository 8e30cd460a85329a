package io.guestguard.bench;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.policy.core.sim.SimFleet;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PackageSpec.AppPolicy;
import io.guestguard.protocol.PlacementPhase;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The benchmarks' fact mixes, valid and realistic rather than noise: policy-core's simulated fleet
 * ({@link SimFleet}, the one the core's property tests drive) answers the real decider as hosts and
 * guest reporters would, with no host ever lost: an applied package starts the guest (its host
 * answers <i>guest started</i>, its reporter <i>app started</i> per application), a restart is
 * answered with the application started again, a failover's halt with <i>guest halted</i> and then
 * the start on the next host. The decider reads every fact as soon as it is written. Deterministic
 * for a seed. A mix holds what the decider decided and each guest's final state, so a benchmark can
 * check that the engine (or a restored store) agrees with the pure core.
 */
final class Mixes {

    static final Instant START = Instant.parse("2026-11-26T00:00:00Z");
    /** The policy engine's default restart limit, for guests without a package. */
    static final RestartLimit DEFAULT_LIMIT = new RestartLimit(3);
    /** Restart policy of every simulated application: three restarts within ten minutes, as the demo package. */
    static final int RESTART_LIMIT = 3;
    static final long FAILURE_WINDOW_MS = 600_000;

    private final Decider decider = new Decider(DEFAULT_LIMIT);
    private final SimFleet fleet;
    private final int hostPool;
    private final Map<Decision.Action, Integer> actions = new EnumMap<>(Decision.Action.class);
    private int decisions;
    private int commands;

    /**
     * @param seed     makes the facts (ids included) the same on every run
     * @param hostPool hosts the guests' packages are spread over
     */
    private Mixes(long seed, int hostPool) {
        this.hostPool = Math.max(3, hostPool);
        this.fleet = new SimFleet(START, seed, true, this::decide, note -> { }).readAtOnce(true);
    }

    private Outcome decide(GuestState state, CloudEvent<Fact> fact) {
        Outcome outcome = decider.decide(state, fact, fact.time()); // a simulation: every clock is true
        decisions += outcome.decisions().size();
        outcome.decisions().forEach(d -> actions.merge(d.data().action(), 1, Integer::sum));
        commands += outcome.commands().size();
        return outcome;
    }

    /** What the pure core makes of a mix's facts at the engine's clock. */
    record Replay(Map<String, GuestState> states, int decisions, int commands) {
    }

    /**
     * The pure core over {@code facts} in order, each decided at its record's timestamp on the guest
     * log ({@code decisionTimes}, by fact id): the broker's append time, which is the engine's clock.
     * A mix is made at the facts' own times, minutes of fleet time apart, while a benchmark loads it
     * into the broker within a second or two; failures that the mix saw leave their window may all be
     * inside it for the engine, so only this replay says what the engine must decide.
     */
    static Replay replay(List<CloudEvent<Fact>> facts, Map<String, Long> decisionTimes) {
        Decider decider = new Decider(DEFAULT_LIMIT);
        Map<String, GuestState> states = new HashMap<>();
        int decisions = 0;
        int commands = 0;
        for (CloudEvent<Fact> fact : facts) {
            Instant at = Instant.ofEpochMilli(decisionTimes.get(fact.id()));
            Outcome outcome = decider.decide(states.getOrDefault(fact.guestId(), GuestState.EMPTY), fact, at);
            states.put(fact.guestId(), outcome.state());
            decisions += outcome.decisions().size();
            commands += outcome.commands().size();
        }
        return new Replay(states, decisions, commands);
    }

    /** About 25 guests per host, as a consolidated VM fleet runs. */
    static int hostPoolFor(int guests) {
        return Math.max(3, guests / 25);
    }

    /** The guest id of guest number {@code index}. */
    static String guestId(int index) {
        return String.format(Locale.ROOT, "guest-%06d", index);
    }

    /**
     * An operator applies guest {@code index}'s package: 2 or 3 hosts in preference order and
     * {@code apps} applications, auto_run, so the decider starts the guest.
     */
    private String onboard(int index, int apps) {
        PackageSpec spec = spec(index, apps);
        fleet.apply(spec);
        return spec.guest();
    }

    private PackageSpec spec(int index, int apps) {
        int hostCount = index % 2 == 0 ? 3 : 2;
        List<String> hosts = new ArrayList<>();
        for (int h = 0; h < hostCount; h++) {
            hosts.add(String.format(Locale.ROOT, "host-%04d", (index + h * 7) % hostPool));
        }
        List<AppPolicy> policies = new ArrayList<>();
        for (int a = 1; a <= apps; a++) {
            // Half the applications back off exponentially, as the demo package's app1 does.
            PackageSpec.Backoff backoff = a % 2 == 1 ? new PackageSpec.Backoff(1000, 2, 30_000) : PackageSpec.Backoff.NONE;
            policies.add(new AppPolicy("app" + a, RESTART_LIMIT, FAILURE_WINDOW_MS, backoff));
        }
        return new PackageSpec(guestId(index), hosts, PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true, policies);
    }

    /**
     * One of the guest's running applications fails, if the guest runs and has one; an application
     * that waits for its restart (or was not restarted) cannot fail.
     *
     * @return whether a failure was reported
     */
    private boolean fail(String guest) {
        List<String> running = new ArrayList<>(fleet.runningApps(guest).keySet());
        if (fleet.state(guest).placement().phase() != PlacementPhase.RUNNING || running.isEmpty()) {
            return false;
        }
        return failApp(guest, running.get(fleet.random().nextInt(running.size())));
    }

    /** {@code app} of the guest fails now, by SIGKILL or a non-zero exit. */
    private boolean failApp(String guest, String app) {
        return fleet.appFails(guest, app, false, true, fleet.random().nextBoolean() ? "KILL" : null);
    }

    /** Everything the decider read so far, with what it made of it. */
    private Mix mix() {
        Map<String, GuestState> states = new LinkedHashMap<>();
        fleet.guestIds().forEach(id -> states.put(id, fleet.state(id)));
        return new Mix(List.copyOf(fleet.given()), states, new EnumMap<>(actions), decisions, commands);
    }

    /**
     * Facts about a fleet and what the pure core decided on them.
     *
     * @param facts     in log order
     * @param states    each guest's state after the last fact
     * @param actions   decisions by action
     * @param decisions decisions in all (one audit record each)
     * @param commands  commands in all
     */
    record Mix(List<CloudEvent<Fact>> facts, Map<String, GuestState> states, Map<Decision.Action, Integer> actions,
               int decisions, int commands) {

        /** How many facts of each type, and the decisions, in one line. */
        String summary() {
            Map<String, Integer> byType = new TreeMap<>();
            facts.forEach(f -> byType.merge(f.data().getClass().getSimpleName(), 1, Integer::sum));
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%,d facts for %,d guests (", facts.size(),
                    states.size()));
            line.append(String.join(", ", byType.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue())).toList()));
            line.append(String.format(Locale.ROOT, "); %,d decisions (", decisions));
            line.append(String.join(", ", actions.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue())).toList()));
            return line.append(String.format(Locale.ROOT, "), %,d commands", commands)).toString();
        }
    }

    /**
     * The throughput benchmarks' mix: packages are applied guest after guest while the hosts and
     * reporters answer, then applications fail. Half the failures hit a flaky 5% of the guests, so
     * those use up their restart limit and fail over (halt, guest halted, start on the next host,
     * guest started, apps started); the rest fail now and then and are restarted in place. Every
     * step is one fact, 1 to 20 ms of fleet time after the previous one; an answer comes as soon as
     * it is due.
     */
    static Mix randomMix(int guestCount, int factCount, long seed) {
        Mixes mixes = new Mixes(seed, hostPoolFor(guestCount));
        SimFleet fleet = mixes.fleet;
        Random random = fleet.random();
        List<String> ids = new ArrayList<>();
        while (fleet.given().size() < factCount) {
            fleet.advance(1 + random.nextInt(20));
            if (fleet.hasDueWork()) {
                fleet.serveNext();
            } else if (ids.size() < guestCount) {
                ids.add(mixes.onboard(ids.size(), 3 + ids.size() % 3)); // 3 to 5 applications, 4 on average
            } else if (!mixes.failSomeone(ids, random)) {
                if (!fleet.serveNext()) {
                    throw new IllegalStateException("no guest can fail and nothing is outstanding: too few guests for the mix");
                }
                // the guests drawn were all between a halt and a start
            }
        }
        return mixes.mix();
    }

    /**
     * The restore benchmark's fleet: every guest's package applied ({@code apps} applications), the
     * guest started, and one application failure (restart 1 of 3), in guest order. The applications'
     * starts and the restarts are not reported: the state the decider keeps is the point here.
     */
    static Mix onboardAndFailOnce(int guestCount, int apps, long seed) {
        Mixes mixes = new Mixes(seed, hostPoolFor(guestCount));
        for (int i = 0; i < guestCount; i++) {
            String id = mixes.onboard(i, apps);
            mixes.fleet.serveNext(); // guest started: the only work queued
            mixes.fleet.advance(1000);
            mixes.failApp(id, "app1");
            mixes.fleet.dropWork();
        }
        return mixes.mix();
    }

    /**
     * A guest with a history: its package applied ({@code apps} applications), started, and then
     * {@code failures} application failures some 1 to 20 minutes apart, each answered (restarts, and
     * the failovers when an application used up its limit). A long-lived guest's state: the
     * remembered fact ids are full and a few failures are still within their window.
     */
    static Mix guestsWithHistory(int guestCount, int apps, int failures, long seed) {
        Mixes mixes = new Mixes(seed, hostPoolFor(guestCount));
        Random random = mixes.fleet.random();
        for (int i = 0; i < guestCount; i++) {
            String id = mixes.onboard(i, apps);
            mixes.fleet.serveAll();
            for (int f = 0; f < failures; f++) {
                mixes.fleet.advance(60_000 + random.nextInt(19 * 60_000));
                mixes.fail(id);
                mixes.fleet.serveAll();
            }
        }
        return mixes.mix();
    }

    private boolean failSomeone(List<String> ids, Random random) {
        int flaky = Math.max(1, ids.size() / 20);
        for (int attempt = 0; attempt < 100; attempt++) {
            int index = random.nextBoolean() ? random.nextInt(flaky) * 20 : random.nextInt(ids.size());
            if (fail(ids.get(Math.min(index, ids.size() - 1)))) {
                return true;
            }
        }
        return false;
    }
}
