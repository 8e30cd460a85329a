package io.guestguard.bench;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.Outcome;
import io.guestguard.policy.core.Placement;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Command;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.PackageApplied;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PackageSpec.AppPolicy;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RestartApp;
import io.guestguard.protocol.StartGuest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A fleet that answers the real decider the way hosts and guest reporters would, so that the
 * benchmarks feed the decider valid, realistic fact sequences rather than noise: an applied package
 * starts the guest (its host answers <i>guest started</i>, its reporter <i>app started</i> per
 * application), a restart is answered with the application started again, a failover's halt with
 * <i>guest halted</i> and then the start on the next host. Deterministic for a seed. It records what
 * the decider decided and each guest's final state, so a benchmark can check that the engine (or a
 * restored store) agrees with the pure core.
 */
final class FleetSim {

    static final Instant START = Instant.parse("2026-11-26T00:00:00Z");
    /** The policy engine's default restart limit, for guests without a package. */
    static final RestartLimit DEFAULT_LIMIT = new RestartLimit(3);
    /** Restart policy of every simulated application: three restarts within ten minutes, as the demo package. */
    static final int RESTART_LIMIT = 3;
    static final long FAILURE_WINDOW_MS = 600_000;

    private final Decider decider = new Decider(DEFAULT_LIMIT);
    private final Random random;
    private final int hostPool;
    private final List<CloudEvent<Fact>> facts = new ArrayList<>();
    private final Map<String, Guest> guests = new LinkedHashMap<>();
    /** Outstanding answers by when they are due, then in the order the commands were issued. */
    private final PriorityQueue<Answer> answers = new PriorityQueue<>(
            Comparator.comparingLong(Answer::dueMs).thenComparingLong(Answer::order));
    private final Map<Decision.Action, Integer> actions = new EnumMap<>(Decision.Action.class);
    private int decisions;
    private int commands;
    private long clockMs;
    private long nextPid = 1000;
    private long answerOrder;

    /**
     * @param seed     makes the facts (ids included) the same on every run
     * @param hostPool hosts the guests' packages are spread over
     */
    FleetSim(long seed, int hostPool) {
        this.random = new Random(seed);
        this.hostPool = Math.max(3, hostPool);
    }

    /** About 25 guests per host, as a consolidated VM fleet runs. */
    static int hostPoolFor(int guests) {
        return Math.max(3, guests / 25);
    }

    Random random() {
        return random;
    }

    /** Moves the fleet's clock (the time of the next facts) on. */
    void advance(long ms) {
        clockMs += ms;
    }

    int factCount() {
        return facts.size();
    }

    boolean hasAnswers() {
        return !answers.isEmpty();
    }

    /** Whether an answer is due by the fleet's clock. */
    boolean hasDueAnswer() {
        return !answers.isEmpty() && answers.peek().dueMs() <= clockMs;
    }

    /** The guest id of guest number {@code index}. */
    static String guestId(int index) {
        return String.format(Locale.ROOT, "guest-%06d", index);
    }

    /**
     * An operator applies guest {@code index}'s package: 2 or 3 hosts in preference order and
     * {@code apps} applications, auto_run, so the decider starts the guest.
     */
    String onboard(int index, int apps) {
        PackageSpec spec = spec(index, apps);
        Guest guest = new Guest(spec.guest(), spec);
        guests.put(guest.id, guest);
        emit(guest, new PackageApplied(spec), "/operator/bench", null, null);
        return guest.id;
    }

    PackageSpec spec(int index, int apps) {
        int hostCount = index % 2 == 0 ? 3 : 2;
        List<String> hosts = new ArrayList<>();
        for (int h = 0; h < hostCount; h++) {
            hosts.add(String.format(Locale.ROOT, "host-%04d", (index + h * 7) % hostPool));
        }
        List<AppPolicy> policies = new ArrayList<>();
        for (int a = 1; a <= apps; a++) {
            // Half the applications back off exponentially, as the demo package's app1 does.
            PackageSpec.Backoff backoff = a % 2 == 1 ? new PackageSpec.Backoff(1000, 2, 30_000) : PackageSpec.Backoff.NONE;
            policies.add(new AppPolicy("app" + a, RESTART_LIMIT,
                    FAILURE_WINDOW_MS, backoff));
        }
        return new PackageSpec(guestId(index), hosts, PackageSpec.FailoverPolicy.CONFIGURED_NODE,
                PackageSpec.FailbackPolicy.MANUAL, true, true, policies);
    }

    /** Delivers the next outstanding answer (a host's or a reporter's report on a command). */
    void answerNext() {
        Answer answer = answers.remove();
        clockMs = Math.max(clockMs, answer.dueMs());
        if (answer.fact instanceof AppStarted started) {
            answer.guest.pids.put(started.app(), started.pid());
        } else if (answer.fact instanceof GuestHalted) {
            answer.guest.pids.clear();
        }
        emit(answer.guest, answer.fact, answer.source, answer.host, answer.epoch);
    }

    void answerAll() {
        while (hasAnswers()) {
            answerNext();
        }
    }

    /**
     * One of the guest's running applications fails, if the guest runs and has one; an application
     * that waits for its restart (or was not restarted) cannot fail.
     *
     * @return whether a failure was reported
     */
    boolean fail(String guestId) {
        Guest guest = guests.get(guestId);
        if (guest.state.placement().phase() != PlacementPhase.RUNNING || guest.pids.isEmpty()) {
            return false;
        }
        List<String> running = new ArrayList<>(guest.pids.keySet());
        String app = running.get(random.nextInt(running.size()));
        failApp(guestId, app);
        return true;
    }

    /** {@code app} of the guest fails now, by SIGKILL or a non-zero exit. */
    void failApp(String guestId, String app) {
        Guest guest = guests.get(guestId);
        Long known = guest.pids.remove(app);
        long pid = known != null ? known : nextPid++;
        AppFailed failed = random.nextBoolean() ? AppFailed.killed(app, pid, "KILL") : AppFailed.exited(app, pid, 1);
        emit(guest, failed, reporter(guestId), null, null);
    }

    private void emit(Guest guest, Fact fact, String source, String host, Long epoch) {
        CloudEvent<Fact> event = new CloudEvent<>(uuid(), source, START.plusMillis(clockMs), guest.id, null, host, epoch, fact);
        Outcome outcome = decider.decide(guest.state, event, event.time()); // a simulation: every clock is true
        guest.state = outcome.state();
        facts.add(event);
        decisions += outcome.decisions().size();
        outcome.decisions().forEach(d -> actions.merge(d.data().action(), 1, Integer::sum));
        for (CloudEvent<Command> command : outcome.commands()) {
            commands++;
            answer(guest, command.data());
        }
    }

    /**
     * What the fleet will report once it has carried out {@code command}: an application restarts
     * after its backoff and some 10 to 100 ms of work, a guest boots in a few seconds and then starts
     * its applications, a halt takes a second. A guest's answers come in the order of its commands.
     */
    private void answer(Guest guest, Command command) {
        if (command instanceof RestartApp restart) {
            expect(guest, restart.delayMs() + 10 + random.nextInt(90), new AppStarted(restart.app(), nextPid++),
                    reporter(guest.id), null, null);
        } else if (command instanceof StartGuest start) {
            expect(guest, 2000 + random.nextInt(3000), new GuestStarted(start.host()), supervisor(start.host()),
                    start.host(), start.epoch());
            for (AppPolicy app : guest.spec.applications()) {
                expect(guest, 10 + random.nextInt(90), new AppStarted(app.name(), nextPid++), reporter(guest.id), null, null);
            }
        } else if (command instanceof HaltGuest halt) {
            expect(guest, 500 + random.nextInt(1000), new GuestHalted(halt.host()), supervisor(halt.host()), halt.host(),
                    halt.epoch());
        } else {
            // No host is ever lost here, so nothing is fenced: a fence would mean the simulation is wrong.
            throw new IllegalStateException("the simulated fleet has no answer to " + command);
        }
    }

    private void expect(Guest guest, long afterMs, Fact fact, String source, String host, Long epoch) {
        guest.lastDueMs = Math.max(clockMs, guest.lastDueMs) + afterMs;
        answers.add(new Answer(guest, fact, source, host, epoch, guest.lastDueMs, answerOrder++));
    }

    private static String reporter(String guestId) {
        return "/guest/" + guestId + "/reporter";
    }

    private static String supervisor(String host) {
        return "/host/" + host + "/supervisor";
    }

    /** Random (version 4) UUIDs from the seeded generator: as long as the reporters' fact ids. */
    private String uuid() {
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }

    /** Everything emitted so far, with what the decider made of it. */
    Mix mix() {
        Map<String, GuestState> states = new LinkedHashMap<>();
        guests.forEach((id, g) -> states.put(id, g.state));
        return new Mix(List.copyOf(facts), states, new EnumMap<>(actions), decisions, commands);
    }

    private static final class Guest {
        final String id;
        final PackageSpec spec;
        GuestState state = GuestState.EMPTY;
        /** The running applications' pids, as the reporter knows them. */
        final Map<String, Long> pids = new TreeMap<>();
        /** When the guest's last outstanding answer is due: the next one comes after it. */
        long lastDueMs;

        Guest(String id, PackageSpec spec) {
            this.id = id;
            this.spec = spec;
        }
    }

    private record Answer(Guest guest, Fact fact, String source, String host, Long epoch, long dueMs, long order) {
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
        FleetSim sim = new FleetSim(seed, hostPoolFor(guestCount));
        Random random = sim.random();
        List<String> ids = new ArrayList<>();
        while (sim.factCount() < factCount) {
            sim.advance(1 + random.nextInt(20));
            if (sim.hasDueAnswer()) {
                sim.answerNext();
            } else if (ids.size() < guestCount) {
                ids.add(sim.onboard(ids.size(), 3 + ids.size() % 3)); // 3 to 5 applications, 4 on average
            } else if (!failSomeone(sim, ids, random)) {
                if (!sim.hasAnswers()) {
                    throw new IllegalStateException("no guest can fail and nothing is outstanding: too few guests for the mix");
                }
                sim.answerNext(); // the guests drawn were all between a halt and a start
            }
        }
        return sim.mix();
    }

    /**
     * The restore benchmark's fleet: every guest's package applied ({@code apps} applications), the
     * guest started, and one application failure (restart 1 of 3), in guest order. The answers to
     * the restarts are not reported: the state the decider keeps is the point here.
     */
    static Mix onboardAndFailOnce(int guestCount, int apps, long seed) {
        FleetSim sim = new FleetSim(seed, hostPoolFor(guestCount));
        for (int i = 0; i < guestCount; i++) {
            String id = sim.onboard(i, apps);
            sim.answerNext(); // guest started: the first answer due
            sim.advance(1000);
            sim.failApp(id, "app1");
            sim.answers.clear();
        }
        return sim.mix();
    }

    /**
     * A guest with a history: its package applied ({@code apps} applications), started, and then
     * {@code failures} application failures some 1 to 20 minutes apart, each answered (restarts, and
     * the failovers when an application used up its limit). A long-lived guest's state: the
     * remembered fact ids are full and a few failures are still within their window.
     */
    static Mix guestsWithHistory(int guestCount, int apps, int failures, long seed) {
        FleetSim sim = new FleetSim(seed, hostPoolFor(guestCount));
        Random random = sim.random();
        for (int i = 0; i < guestCount; i++) {
            String id = sim.onboard(i, apps);
            sim.answerAll();
            for (int f = 0; f < failures; f++) {
                sim.advance(60_000 + random.nextInt(19 * 60_000));
                sim.fail(id);
                sim.answerAll();
            }
        }
        return sim.mix();
    }

    private static boolean failSomeone(FleetSim sim, List<String> ids, Random random) {
        int flaky = Math.max(1, ids.size() / 20);
        for (int attempt = 0; attempt < 100; attempt++) {
            int index = random.nextBoolean() ? random.nextInt(flaky) * 20 : random.nextInt(ids.size());
            if (sim.fail(ids.get(Math.min(index, ids.size() - 1)))) {
                return true;
            }
        }
        return false;
    }
}
