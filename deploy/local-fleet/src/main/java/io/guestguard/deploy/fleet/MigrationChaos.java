package io.guestguard.deploy.fleet;

import io.guestguard.deploy.kafka.ServiceHttp;
import io.guestguard.policy.core.GuestState.AppBudget;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.OperatorRequest;
import io.guestguard.protocol.Rebound;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Live migrations back and forth between the fleet's two hosts, with an application failure
 * injected before, during or right after each one (in turn), some migrations made to fail (the
 * target refuses the guest at the last moment), and some followed at once by the next one, before
 * their rebind was answered. For each other migration it waits for:
 * <ol>
 *   <li>its outcome ({@code migration.completed} or {@code migration.failed});</li>
 *   <li>contact verified: the reporter's {@code rebound} for the placement the guest has now (the
 *       target at epoch + 1, or the source at the same epoch), timed from reading the outcome (when
 *       the watcher runs: without it, nobody asks);</li>
 *   <li>the injected failure handled: a restart decision whose attempt is the previous one plus one
 *       (or stays at the decider's memory of {@value AppBudget#MAX_REMEMBERED} failures; anything
 *       lower is a budget reset), then the application running with a new pid.</li>
 * </ol>
 * Meanwhile a sampler counts the guest's reporters in {@code /proc} every 20 ms: two at once is a
 * double runner. A failure whose handling does not come within the step timeout is a missed failure;
 * the run stops there, since the application stays down.
 */
final class MigrationChaos {

    /** When the failure of one migration is injected. */
    enum Moment { BEFORE, DURING, AFTER }

    /** What a run found. */
    record Report(int migrations, int completed, int failed, int backToBack, int failuresInjected, int missed,
                  int budgetResets, int doubleRunners, int escalations, List<Long> contactMs, String stoppedBy) {

        long contactMaxMs() {
            return contactMs.stream().mapToLong(Long::longValue).max().orElse(0);
        }

        long contactPercentileMs(double p) {
            List<Long> sorted = contactMs.stream().sorted().toList();
            return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
        }

        String summary() {
            return String.format(java.util.Locale.ROOT, """
                    migrations          %d (%d completed, %d failed on purpose; %d followed at once by the next)
                    failures injected   %d (before, during, right after a migration, in turn)
                    missed failures     %d
                    budget resets       %d
                    double runners      %d
                    escalations         %d
                    contact re-verified %s%s""",
                    migrations, completed, failed, backToBack, failuresInjected, missed, budgetResets, doubleRunners, escalations,
                    contactMs.isEmpty() ? "never asked (no watcher)" : String.format(java.util.Locale.ROOT,
                            "p50 %d ms, p99 %d ms, max %d ms (migration outcome read -> rebound read), %d times",
                            contactPercentileMs(0.5), contactPercentileMs(0.99), contactMaxMs(), contactMs.size()),
                    stoppedBy == null ? "" : "\nSTOPPED: " + stoppedBy);
        }
    }

    private static final String GUEST = "g1";
    private static final String APP = "app2";

    private final LocalFleet fleet;
    private final Observed observed;
    private final Random random;
    private final PrintStream out;
    private final TimelineFormat format = new TimelineFormat(ZoneId.systemDefault());
    /** Whether the migration watcher runs, so that contact is verified by a rebound. */
    private final boolean watched;

    MigrationChaos(LocalFleet fleet, Observed observed, long seed, PrintStream out) {
        this(fleet, observed, seed, out, true);
    }

    MigrationChaos(LocalFleet fleet, Observed observed, long seed, PrintStream out, boolean watched) {
        this.fleet = fleet;
        this.observed = observed;
        this.random = new Random(seed);
        this.out = out;
        this.watched = watched;
    }

    /**
     * @param failEvery every how many migrations one (at random within each block) is made to fail
     * @param backToBackEvery every how many migrations one is followed at once by the next, before its
     *                        rebind was answered (the watcher then checks contact for the newer placement
     *                        only); such a migration gets no failure of its own
     * @param stepTimeout how long each awaited sign may take
     */
    Report run(int migrations, int failEvery, int backToBackEvery, Duration stepTimeout) throws InterruptedException {
        try {
            return migrate(migrations, failEvery, backToBackEvery, stepTimeout);
        } catch (Observed.DeadlineException e) {
            // Not a missed failure (those are reported where they happen): the fleet stopped answering.
            throw new Observed.DeadlineException(e.getMessage() + "\n" + history());
        }
    }

    private Report migrate(int migrations, int failEvery, int backToBackEvery, Duration stepTimeout) throws InterruptedException {
        String host = settled(Observed.deadline(stepTimeout.multipliedBy(3)));
        out.printf("  %s runs on %s%n", GUEST, host);
        long pid = lastPid();
        int lastAttempt = lastAttempt();
        int completed = 0;
        int failed = 0;
        int backToBack = 0;
        int injected = 0;
        int resets = 0;
        int escalationsBefore = escalations().size();
        List<Long> contact = new ArrayList<>();
        AtomicInteger doubleRunners = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = sampler(sampling, doubleRunners);
        String stoppedBy = null;
        int done = 0;
        int failing = random.nextInt(failEvery);
        try {
            for (int i = 0; i < migrations; i++) {
                String target = host.equals("primary") ? "standby" : "primary";
                boolean refuse = i % failEvery == failing;
                if (i % failEvery == failEvery - 1) {
                    failing = random.nextInt(failEvery);
                }
                boolean hurried = i % backToBackEvery == backToBackEvery - 1 && i < migrations - 1;
                Moment moment = Moment.values()[i % Moment.values().length];
                long step = Observed.deadline(stepTimeout);
                int mark = observed.mark();
                fleet.refuseMigrations(target, refuse);
                if (moment == Moment.BEFORE && !hurried) {
                    kill(pid);
                }
                fleet.tell(GUEST, new OperatorRequest(OperatorRequest.Action.MIGRATE, target, LocalFleet.OPERATOR.name()));
                Observed.Seen started = observed.await(mark, fact(MigrationStarted.class, s -> s.to().equals(target)), step,
                        "migration " + (i + 1) + " started");
                if (moment == Moment.DURING && !hurried) {
                    kill(pid);
                }
                long epoch = started.event().epoch();
                Observed.Seen outcome = observed.await(started.seq(), e -> GUEST.equals(e.guestId())
                        && (e.data() instanceof MigrationCompleted || e.data() instanceof MigrationFailed), step,
                        "migration " + (i + 1) + "'s outcome");
                boolean moved = outcome.event().data() instanceof MigrationCompleted;
                fleet.refuseMigrations(target, false);
                if (hurried) {
                    backToBack++;
                    completed += moved ? 1 : 0;
                    failed += moved ? 0 : 1;
                    host = moved ? target : host;
                    done = i + 1;
                    progress(done, migrations, contact);
                    continue; // the next migration starts before this one's rebind is answered
                }
                if (moment == Moment.AFTER) {
                    kill(pid);
                }
                injected++;
                String now = moved ? target : host;
                long nowEpoch = moved ? epoch + 1 : epoch;
                if (watched) {
                    Observed.Seen rebound = observed.await(outcome.seq(), fact(Rebound.class, r -> r.host().equals(now)
                            && r.epoch() == nowEpoch), step, "contact with " + GUEST + " on " + now + " after migration " + (i + 1));
                    contact.add(Observed.millis(outcome.nanos(), rebound.nanos()));
                }

                long killed = pid;
                Observed.Seen restart;
                Observed.Seen back;
                try {
                    restart = observed.await(mark, e -> GUEST.equals(e.guestId()) && e.data() instanceof Decision d
                            && d.action() == Decision.Action.RESTART_APP && APP.equals(d.app()), step,
                            "the restart of " + APP + " killed " + moment.name().toLowerCase() + " migration " + (i + 1));
                    // From the mark, not the decision: the new start may be read before its decision (two topics).
                    back = observed.await(mark, fact(AppStarted.class, s -> s.app().equals(APP) && s.pid() != null
                            && s.pid() != killed), step, APP + " running again after migration " + (i + 1));
                } catch (Observed.DeadlineException e) {
                    stoppedBy = "missed failure at migration " + (i + 1) + " (" + moment + "): " + e.getMessage() + "\n" + history();
                    done = i + 1;
                    return report(done, completed + (moved ? 1 : 0), failed + (moved ? 0 : 1), backToBack, injected, 1,
                            resets, doubleRunners.get(), escalationsBefore, contact, stoppedBy);
                }
                int attempt = ((Decision) restart.event().data()).attempt();
                // The decider remembers the last MAX_REMEMBERED failures of an application: an unlimited
                // one's attempt number stays there; anything else but the next number is a reset.
                boolean next = attempt == lastAttempt + 1 || attempt == lastAttempt && attempt == AppBudget.MAX_REMEMBERED;
                if (!next) {
                    resets++;
                    out.printf("  migration %d: restart attempt %d after %d: budget %s%n", i + 1, attempt, lastAttempt,
                            attempt <= lastAttempt ? "RESET" : "skipped a number");
                }
                lastAttempt = attempt;
                pid = ((AppStarted) back.event().data()).pid();
                if (moved) {
                    completed++;
                    host = target;
                } else {
                    failed++;
                }
                done = i + 1;
                progress(done, migrations, contact);
            }
        } finally {
            sampling.set(false);
            sampler.join(5_000);
            fleet.refuseMigrations("primary", false);
            fleet.refuseMigrations("standby", false);
        }
        return report(done, completed, failed, backToBack, injected, 0, resets, doubleRunners.get(), escalationsBefore,
                contact, null);
    }

    /**
     * Waits until every guest of the fleet has its applications started (the fleet's busiest moment
     * is over), then says where the chaos guest runs: usually primary, but a host judged lost while
     * the fleet started has had its guests failed over, and the migrations start from there.
     */
    private String settled(long deadline) throws InterruptedException {
        for (String guest : LocalFleet.GUESTS) {
            observed.await(0, e -> guest.equals(e.guestId()) && e.data() instanceof AppStarted s && s.app().equals(APP),
                    deadline, guest + "/" + APP + " started");
        }
        observed.await(0, fact(GuestStarted.class, s -> true), deadline, GUEST + " started on a host");
        List<Observed.Seen> placed = observed.all(e -> GUEST.equals(e.guestId())
                && (e.data() instanceof GuestStarted || e.data() instanceof MigrationCompleted));
        Object last = placed.get(placed.size() - 1).event().data();
        return last instanceof GuestStarted started ? started.host() : ((MigrationCompleted) last).to();
    }

    /** The chaos guest's last facts and decisions, with each decision's reason, to explain a stop. */
    private String history() {
        List<Observed.Seen> all = observed.all(e -> GUEST.equals(e.guestId()));
        return all.subList(Math.max(0, all.size() - 60), all.size()).stream().map(seen -> {
            String line = format.line(seen.event());
            return seen.event().data() instanceof Decision d && !line.contains(d.reason().text())
                    ? line + " (" + d.reason().text() + ")" : line;
        }).collect(Collectors.joining("\n    ", GUEST + "'s history:\n    ", ""));
    }

    private void progress(int done, int migrations, List<Long> contact) {
        if (done % 50 == 0 || done == migrations) {
            out.printf("  %d/%d migrations, contact max so far %d ms%n", done, migrations,
                    contact.stream().mapToLong(Long::longValue).max().orElse(0));
        }
    }

    private Report report(int done, int completed, int failed, int backToBack, int injected, int missed, int resets,
                          int doubleRunners, int escalationsBefore, List<Long> contact, String stoppedBy) {
        List<Observed.Seen> escalated = escalations();
        escalated.subList(escalationsBefore, escalated.size())
                .forEach(seen -> out.printf("  ESCALATION: %s%n", format.line(seen.event())));
        return new Report(done, completed, failed, backToBack, injected, missed, resets, doubleRunners,
                escalated.size() - escalationsBefore, List.copyOf(contact), stoppedBy);
    }

    /** The watcher's own counters, read from its Prometheus endpoint; a lost answer times out instead of hanging the run. */
    static String watcherCounters(LocalFleet fleet) {
        try {
            String metrics = ServiceHttp.get(java.net.URI.create(fleet.watcherMetricsUrl())).body();
            return "watcher metrics: " + metrics.lines().filter(l -> l.startsWith("guestguard_watcher_")
                    && (l.contains("_total") || l.contains("latency_seconds_count") || l.contains("latency_seconds_max")))
                    .collect(java.util.stream.Collectors.joining("\n  ", "\n  ", ""));
        } catch (IOException e) {
            return "watcher metrics: unreadable (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "watcher metrics: interrupted";
        }
    }

    private void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private long lastPid() {
        List<Observed.Seen> started = observed.all(fact(AppStarted.class, s -> s.app().equals(APP)));
        return ((AppStarted) started.get(started.size() - 1).event().data()).pid();
    }

    private int lastAttempt() {
        return observed.all(e -> GUEST.equals(e.guestId()) && e.data() instanceof Decision d
                        && d.action() == Decision.Action.RESTART_APP && APP.equals(d.app())).stream()
                .mapToInt(s -> ((Decision) s.event().data()).attempt()).max().orElse(0);
    }

    private List<Observed.Seen> escalations() {
        return observed.all(e -> GUEST.equals(e.guestId()) && e.data() instanceof ContactLost);
    }

    private static <F> Predicate<CloudEvent<?>> fact(Class<F> type, Predicate<F> match) {
        return e -> GUEST.equals(e.guestId()) && type.isInstance(e.data()) && match.test(type.cast(e.data()));
    }

    /**
     * Counts the moments two reporters of the guest ran at once (each episode once, described on the
     * output). A reporter is a running JVM of the guest's file whose parent is not one (its guest's
     * init, guest-init.pl, which a simulated host starts as the guest): a child it is spawning shares
     * its memory until it execs, so it shows the same command line for a moment, with the reporter as
     * its parent.
     */
    private Thread sampler(AtomicBoolean sampling, AtomicInteger doubleRunners) {
        String guestFile = "/guests/" + GUEST + ".yaml";
        Thread thread = new Thread(() -> {
            boolean inEpisode = false;
            while (sampling.get()) {
                List<Long> reporters = ProcessHandle.allProcesses().map(ProcessHandle::pid)
                        .filter(pid -> isReporter(pid, guestFile)).toList();
                if (reporters.size() > 1 && !inEpisode) {
                    doubleRunners.incrementAndGet();
                    out.printf("  DOUBLE RUNNER: reporters of %s with pids %s%n", GUEST, reporters);
                }
                inEpisode = reporters.size() > 1;
                try {
                    Thread.sleep(20); // a sampling period, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "chaos-double-runner-sampler");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static boolean isReporter(long pid, String guestFile) {
        try {
            if (!isReporterJvm(pid, guestFile)) {
                return false;
            }
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // state, ppid, pgrp, ...
            return !fields[0].equals("Z") && !isReporterJvm(Long.parseLong(fields[1]), guestFile);
        } catch (IOException | RuntimeException e) {
            return false; // ended meanwhile
        }
    }

    private static boolean isReporterJvm(long pid, String guestFile) throws IOException {
        String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        return cmdline.contains("quarkus-run.jar") && cmdline.contains(guestFile);
    }
}
