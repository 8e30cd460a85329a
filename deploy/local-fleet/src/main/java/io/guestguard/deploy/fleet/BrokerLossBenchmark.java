package io.guestguard.deploy.fleet;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.Decision;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * A broker's death under a failure storm (issue 19, point 1), on the two-host fleet over a cluster of
 * three brokers ({@link LocalFleet.Options#withBrokers}):
 * <ol>
 *   <li>one crash first (SIGKILL of g1's app2), restarted as on one broker;</li>
 *   <li>then a storm: one thread per guest kills its {@value #VICTIM_APP} (unlimited restarts, so no kill makes a
 *       failover) with SIGKILL, waits until it runs again under a new pid, and kills it again;</li>
 *   <li>meanwhile, every {@code failuresPerHalt} failures, the broker leading most of {@code guest-log.v1}'s
 *       partitions is halted abruptly (no controlled shutdown: its partitions keep a dead leader until the
 *       controller fences it), the halt waits until a failure injected after it is decided, then the broker is
 *       started again and waited for until every replica is back in sync, before the next halt.</li>
 * </ol>
 * A halt's <em>decision pause</em> is the longest any failure waited for its decision because of it: over the
 * failures decided after the halt, the time from the halt (or the kill, if later) to the decision as the
 * fleet's {@code read_committed} timeline reads it. Without a halt that is the usual kill-to-decision time,
 * tens of milliseconds.
 */
final class BrokerLossBenchmark {

    /** Unlimited restarts in the fleet's packages. */
    static final String VICTIM_APP = "app2";

    /** One injected failure: the application's pid killed and when. */
    record Failure(String guest, long pid, long killedNanos) {
    }

    /**
     * One halt.
     *
     * @param broker the broker halted
     * @param partitions the guest-log partitions it led
     * @param haltNanos when it was halted ({@link System#nanoTime()})
     * @param restartedNanos when it was back with every replica in sync
     */
    record Halt(int number, int broker, List<Integer> partitions, long haltNanos, long restartedNanos) {
    }

    /** A failure and what became of it: its fact (if any) and its decisions, as read. */
    record Outcome(Failure failure, Optional<Observed.Seen> fact, List<Observed.Seen> decisions) {
        /** When its first decision was read, or -1. */
        long decidedNanos() {
            return decisions.isEmpty() ? -1 : decisions.get(0).nanos();
        }
    }

    /** What the run did and saw. */
    record Report(List<Outcome> outcomes, List<Halt> halts, Map<Integer, Long> pauseMs) {

        List<Outcome> lost() {
            return outcomes.stream().filter(o -> o.fact().isEmpty()).toList();
        }

        List<Outcome> undecided() {
            return outcomes.stream().filter(o -> o.fact().isPresent() && o.decisions().isEmpty()).toList();
        }

        List<Outcome> doubled() {
            return outcomes.stream().filter(o -> o.decisions().size() > 1).toList();
        }

        /** The {@code p} quantile (0 to 1) of the halts' pauses, nearest rank; 0 without a halt. */
        long pausePercentile(double p) {
            List<Long> sorted = pauseMs.values().stream().sorted().toList();
            if (sorted.isEmpty()) {
                return 0;
            }
            return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
        }

        String summary() {
            StringBuilder s = new StringBuilder();
            for (Halt halt : halts) {
                s.append(String.format(Locale.ROOT, "halt %d: broker %d (leader of guest-log partitions %s): decision pause %,d ms%n",
                        halt.number(), halt.broker(), halt.partitions(), pauseMs.get(halt.number())));
            }
            s.append(String.format(Locale.ROOT, "%d failures over %d guests, %d broker halts: decision pause p50 %,d ms, max %,d ms "
                            + "(broker session %d ms); facts lost %d, undecided %d, decided more than once %d",
                    outcomes.size(), outcomes.stream().map(o -> o.failure().guest()).distinct().count(), halts.size(),
                    pausePercentile(0.5), pausePercentile(1.0), io.guestguard.deploy.kafka.EmbeddedKafka.BROKER_SESSION.toMillis(),
                    lost().size(), undecided().size(), doubled().size()));
            return s.toString();
        }
    }

    private final LocalFleet fleet;
    private final Observed observed;
    private final PrintStream out;
    private final Duration timeout;
    private final List<Failure> failures = new ArrayList<>();

    /** @param timeout how long any one wait may take: an application back, a decision after a halt */
    BrokerLossBenchmark(LocalFleet fleet, Observed observed, PrintStream out, Duration timeout) {
        this.fleet = fleet;
        this.observed = observed;
        this.out = out;
        this.timeout = timeout;
        if (fleet.brokers() < 3) {
            throw new IllegalArgumentException("a broker's death needs a cluster of 3 brokers or more, not " + fleet.brokers());
        }
    }

    /**
     * One crash restarted, then a storm of at least {@code minFailures} failures with {@code halts}
     * halts, one every {@code failuresPerHalt} failures; waits until every failure injected is decided
     * and its application runs again.
     */
    Report run(int halts, int failuresPerHalt, int minFailures) throws InterruptedException {
        // 1. A crash restarted, as on one broker.
        long first = currentPid("g1", 0, -1);
        kill("g1", first);
        currentPid("g1", 0, first);
        out.printf("crash -> restart on %d brokers: g1/%s pid %d -> running again%n", fleet.brokers(), VICTIM_APP, first);

        // 2. The storm, one killer per guest.
        AtomicBoolean storming = new AtomicBoolean(true);
        List<Thread> killers = new ArrayList<>();
        List<Throwable> killerErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String guest : LocalFleet.GUESTS) {
            Thread killer = new Thread(() -> {
                try {
                    long pid = currentPid(guest, 0, guest.equals("g1") ? first : -1);
                    while (storming.get()) {
                        kill(guest, pid);
                        pid = currentPid(guest, 0, pid);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    killerErrors.add(e);
                    synchronized (failures) {
                        failures.notifyAll();
                    }
                }
            }, "broker-loss-killer-" + guest);
            killer.setDaemon(true);
            killer.start();
            killers.add(killer);
        }

        // 3. The halts.
        List<Halt> done = new ArrayList<>();
        String guestLog = fleet.topics().guestLog();
        try {
            for (int n = 1; n <= halts; n++) {
                awaitFailures(failures() + failuresPerHalt, killerErrors);
                Map<Integer, Integer> leaders = fleet.leaders(guestLog);
                int broker = leaders.values().stream().filter(id -> id > 0)
                        .collect(Collectors.groupingBy(id -> id, java.util.TreeMap::new, Collectors.counting()))
                        .entrySet().stream().max(Map.Entry.<Integer, Long>comparingByValue()
                                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                        .orElseThrow(() -> new IllegalStateException(guestLog + " has no leader: " + leaders)).getKey();
                List<Integer> led = leaders.entrySet().stream().filter(e -> e.getValue() == broker).map(Map.Entry::getKey).toList();
                int killedBefore = failures();
                long haltNanos = System.nanoTime();
                fleet.haltBroker(broker);
                // Decisions flow again: a failure injected after the halt is decided.
                awaitDecidedAfter(killedBefore, "a decision on a failure injected after broker " + broker + " was halted");
                fleet.restartBroker(broker);
                Halt halt = new Halt(n, broker, led, haltNanos, System.nanoTime());
                done.add(halt);
                out.printf("halt %d: broker %d (led guest-log partitions %s) halted, decisions again, restarted in sync %,d ms "
                        + "after the halt%n", n, broker, led, Observed.millis(haltNanos, halt.restartedNanos()));
            }
            awaitFailures(minFailures, killerErrors);
        } finally {
            storming.set(false);
        }
        for (Thread killer : killers) {
            killer.join(timeout.toMillis());
            if (killer.isAlive()) {
                killer.interrupt();
                throw new IllegalStateException(killer.getName() + " did not finish within " + timeout
                        + ": its last application did not run again; see " + fleet.runDir().resolve("logs"));
            }
        }
        if (!killerErrors.isEmpty()) {
            throw new IllegalStateException("the storm stopped: " + killerErrors.get(0).getMessage(), killerErrors.get(0));
        }
        return report(done);
    }

    /** Every failure's fact and decisions, and each halt's pause. */
    private Report report(List<Halt> halts) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Failure failure : snapshot()) {
            // A fact the reporter's outbox sent again may read twice: each decision counts once, whichever copy it names.
            List<Observed.Seen> facts = observed.all(e -> failure.guest().equals(e.guestId())
                    && e.data() instanceof AppFailed f && f.app().equals(VICTIM_APP) && Long.valueOf(failure.pid()).equals(f.pid()));
            Optional<Observed.Seen> fact = facts.stream().findFirst();
            List<String> factIds = facts.stream().map(s -> s.event().id()).distinct().toList();
            List<Observed.Seen> decisions = factIds.isEmpty() ? List.of() : observed.all(e -> e.data() instanceof Decision d
                    && d.causeIds().stream().anyMatch(factIds::contains));
            outcomes.add(new Outcome(failure, fact, decisions));
        }
        Map<Integer, Long> pauses = new java.util.LinkedHashMap<>();
        for (Halt halt : halts) {
            long worst = outcomes.stream()
                    .filter(o -> o.decidedNanos() > halt.haltNanos() && o.failure().killedNanos() < halt.restartedNanos())
                    .mapToLong(o -> o.decidedNanos() - Math.max(halt.haltNanos(), o.failure().killedNanos()))
                    .max().orElse(0);
            pauses.put(halt.number(), Duration.ofNanos(worst).toMillis());
        }
        return new Report(outcomes, halts, pauses);
    }

    /** The pid of the guest's {@value #VICTIM_APP} once started, other than {@code not}, waiting for it. */
    private long currentPid(String guest, int from, long not) throws InterruptedException {
        Observed.Seen started = observed.await(from, e -> guest.equals(e.guestId()) && e.data() instanceof AppStarted s
                && s.app().equals(VICTIM_APP) && s.pid() != null && s.pid() != not && !killedBefore(guest, s.pid()),
                Observed.deadline(timeout),
                guest + "/" + VICTIM_APP + " started" + (not < 0 ? "" : " again after pid " + not));
        return ((AppStarted) started.event().data()).pid();
    }

    /** Whether {@code pid} of the guest was killed already (its start was read before its kill). */
    private boolean killedBefore(String guest, long pid) {
        synchronized (failures) {
            return failures.stream().anyMatch(f -> f.guest().equals(guest) && f.pid() == pid);
        }
    }

    private void kill(String guest, long pid) {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(
                guest + "/" + VICTIM_APP + " (pid " + pid + ") is not running, though it was reported started"));
        synchronized (failures) {
            failures.add(new Failure(guest, pid, System.nanoTime()));
            failures.notifyAll();
        }
        process.destroyForcibly();
    }

    private int failures() {
        synchronized (failures) {
            return failures.size();
        }
    }

    private List<Failure> snapshot() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    /** Waits until {@code count} failures were injected. */
    private void awaitFailures(int count, List<Throwable> killerErrors) throws InterruptedException {
        long deadline = Observed.deadline(timeout.multipliedBy(Math.max(1, count / 20)));
        synchronized (failures) {
            while (failures.size() < count) {
                if (!killerErrors.isEmpty()) {
                    throw new IllegalStateException("the storm stopped: " + killerErrors.get(0).getMessage(), killerErrors.get(0));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new Observed.DeadlineException(failures.size() + " failures injected, " + count + " awaited");
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(failures, left);
            }
        }
    }

    /** Waits until a failure numbered {@code index} or later is decided. */
    private void awaitDecidedAfter(int index, String what) throws InterruptedException {
        long deadline = Observed.deadline(timeout);
        awaitFailures(index + 1, List.of());
        Failure after = snapshot().get(index);
        Observed.Seen fact = observed.await(0, e -> after.guest().equals(e.guestId()) && e.data() instanceof AppFailed f
                && f.app().equals(VICTIM_APP) && Long.valueOf(after.pid()).equals(f.pid()), deadline, what + " (its fact)");
        observed.await(fact.seq(), e -> e.data() instanceof Decision d && d.causeIds().contains(fact.event().id()), deadline, what);
    }
}
