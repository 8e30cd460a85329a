package io.guestguard.deploy.fleet;

import io.guestguard.process.ProcessGroups;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Heartbeat;
import io.guestguard.protocol.HostLeaving;
import io.guestguard.protocol.ReporterStarted;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A rolling upgrade of every GuestGuard service of a local fleet while its guests run (issue 16, point 3):
 * one process at a time, each stopped as its service manager stops it for an upgrade, started again
 * and waited for until it is back, in this order:
 * <ol>
 *   <li>each policy engine instance (SIGTERM, start, rejoined its group: the other instance decides meanwhile);</li>
 *   <li>each migration watcher instance (likewise);</li>
 *   <li>each host supervisor (SIGTERM: its host is detached, not lost; start; beating with its guests);</li>
 *   <li>each guest's reporter (SIGUSR1, restart in place: it leaves its applications running, the guest's
 *       init starts a new one, which adopts them).</li>
 * </ol>
 * With failures on, one real failure is injected in every step while the process is away (SIGKILL of an
 * app2, unlimited restarts, of a guest whose reporter is not the one away), and the step waits until it is
 * decided and the application runs again. Each step reports the process, its old and new pid, how long
 * until it was back, whether every other application kept its pid, and the decisions seen meanwhile.
 */
final class RollingUpgrade {

    /** The application killed in each step: unlimited restarts in the fleet's packages, so no kill makes a failover. */
    static final String VICTIM_APP = "app2";
    private static final List<String> APPS = List.of("app1", "app2");

    /** What one step did. */
    record Step(String process, long oldPid, long newPid, long backMs, boolean appsUnchanged, Optional<Injected> injected,
                List<String> decisions) {

        String describe() {
            return String.format("%-26s pid %d -> %d, back in %,d ms; application pids unchanged: %s%s; decisions: %s",
                    process, oldPid, newPid, backMs, appsUnchanged ? "yes" : "NO",
                    injected.map(i -> " (besides " + i.describe() + ")").orElse(""),
                    decisions.isEmpty() ? "none" : String.join(", ", decisions));
        }
    }

    /** A real failure injected during a step: the application killed, its pid, and what followed. */
    record Injected(String guest, String app, long pid, String failureId, long newPid) {
        String describe() {
            return guest + "/" + app + " killed, pid " + pid + " -> " + newPid;
        }
    }

    private final LocalFleet fleet;
    private final Observed observed;
    private final PrintStream out;
    private final boolean injectFailures;
    private final Duration stepTimeout;
    /** Every application's pid as last started, by {@code guest/app}. */
    private final Map<String, Long> pids = new TreeMap<>();
    private int victims;

    RollingUpgrade(LocalFleet fleet, Observed observed, PrintStream out, boolean injectFailures, Duration stepTimeout) {
        this.fleet = fleet;
        this.observed = observed;
        this.out = out;
        this.injectFailures = injectFailures;
        this.stepTimeout = stepTimeout;
    }

    /** Every application's pid before the roll, once each has started. */
    Map<String, Long> awaitApplications() throws InterruptedException {
        long deadline = Observed.deadline(stepTimeout);
        for (String guest : LocalFleet.GUESTS) {
            for (String app : APPS) {
                pids.put(guest + "/" + app, ((AppStarted) observed.await(0, e -> guest.equals(e.guestId())
                        && e.data() instanceof AppStarted s && s.app().equals(app) && s.pid() != null, deadline,
                        guest + "/" + app + " started").event().data()).pid());
            }
        }
        return Map.copyOf(pids);
    }

    /** Plays the roll; {@link #awaitApplications()} first. */
    List<Step> play() throws InterruptedException {
        List<Step> steps = new ArrayList<>();
        int instances = fleet.engines().size();
        for (int n : fleet.engines().keySet()) {
            steps.add(say(kafkaStreamsStep(fleet.engines().get(n), () -> fleet.startEngine(n),
                    LocalFleet.ENGINE_APPLICATION_ID, instances)));
        }
        for (int n : fleet.watchers().keySet()) {
            steps.add(say(kafkaStreamsStep(fleet.watchers().get(n), () -> fleet.startWatcher(n),
                    LocalFleet.WATCHER_APPLICATION_ID, fleet.watchers().size())));
        }
        for (String host : LocalFleet.HOSTS) {
            steps.add(say(supervisorStep(host)));
        }
        for (String guest : LocalFleet.GUESTS) {
            steps.add(say(reporterStep(guest)));
        }
        return steps;
    }

    private Step say(Step step) {
        out.println(step.describe());
        return step;
    }

    /** An engine or watcher instance: SIGTERM, started again, back once its group is stable with every instance. */
    private Step kafkaStreamsStep(ServiceProcess running, Supplier<ServiceProcess> start, String applicationId,
                                  int members) throws InterruptedException {
        int mark = observed.mark();
        Map<String, Long> before = Map.copyOf(pids);
        long t0 = System.nanoTime();
        running.terminate();
        Optional<Kill> kill = inject(null);
        ServiceProcess again = start.get();
        fleet.awaitMembers(applicationId, members, stepTimeout);
        long back = Observed.millis(t0, System.nanoTime());
        return finish(running.name(), running.pid(), again.pid(), back, before, kill, mark);
    }

    /** A host supervisor: SIGTERM (it says it leaves: a detach), started again, back at its first beat (attached again). */
    private Step supervisorStep(String host) throws InterruptedException {
        ServiceProcess running = fleet.supervisor(host);
        int mark = observed.mark();
        Map<String, Long> before = Map.copyOf(pids);
        long t0 = System.nanoTime();
        running.terminate();
        observed.await(mark, e -> e.data() instanceof HostLeaving l && l.host().equals(host), Observed.deadline(stepTimeout),
                host + " leaving");
        Optional<Kill> kill = inject(null);
        ServiceProcess again = fleet.startSupervisor(host);
        // The timeline hands on a host's first beat after a silence: the host is attached again.
        observed.await(mark, e -> e.data() instanceof Heartbeat b && b.id().equals(host), Observed.deadline(stepTimeout),
                host + " beating again");
        long back = Observed.millis(t0, System.nanoTime());
        return finish(running.name(), running.pid(), again.pid(), back, before, kill, mark);
    }

    /** A guest's reporter: restart in place, back once the new reporter has adopted both applications. */
    private Step reporterStep(String guest) throws InterruptedException {
        String host = LocalFleet.HOSTS.stream().filter(h -> fleet.guestGroup(h, guest).isPresent()).findFirst()
                .orElseThrow(() -> new IllegalStateException(guest + " runs on no host"));
        int mark = observed.mark();
        Map<String, Long> before = Map.copyOf(pids);
        long t0 = System.nanoTime();
        long old = fleet.restartReporterInPlace(host, guest);
        Optional<Kill> kill = inject(guest);
        awaitExit(old, guest + "'s reporter");
        long deadline = Observed.deadline(stepTimeout);
        Observed.Seen started = observed.await(mark, e -> guest.equals(e.guestId()) && e.data() instanceof ReporterStarted,
                deadline, guest + "'s new reporter started");
        for (String app : APPS) {
            observed.await(started.seq(), e -> guest.equals(e.guestId()) && e.data() instanceof AppStarted s
                    && s.app().equals(app), deadline, guest + "/" + app + " adopted by the new reporter");
        }
        long back = Observed.millis(t0, System.nanoTime());
        long now = fleet.reporter(host, guest).map(ProcessHandle::pid).orElse(-1L);
        return finish("guest-reporter " + guest, old, now, back, before, kill, mark);
    }

    /** A kill injected in a step, awaited once the step's process is back. */
    private record Kill(String guest, String app, long pid, int mark) {
    }

    /** Kills an app2, of a guest other than {@code away}'s (its reporter would not see it), when failures are on. */
    private Optional<Kill> inject(String away) {
        if (!injectFailures) {
            return Optional.empty();
        }
        List<String> candidates = LocalFleet.GUESTS.stream().filter(g -> !g.equals(away)).toList();
        String guest = candidates.get(victims++ % candidates.size());
        long pid = pids.get(guest + "/" + VICTIM_APP);
        int mark = observed.mark();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        return Optional.of(new Kill(guest, VICTIM_APP, pid, mark));
    }

    /** Waits for the injected failure's decision and new pid, then sums the step up. */
    private Step finish(String process, long oldPid, long newPid, long backMs, Map<String, Long> before,
                        Optional<Kill> kill, int mark) throws InterruptedException {
        Optional<Injected> injected = Optional.empty();
        if (kill.isPresent()) {
            injected = Optional.of(recovered(kill.get()));
        }
        refreshPids(mark);
        String killed = kill.map(k -> k.guest() + "/" + k.app()).orElse("");
        boolean unchanged = before.entrySet().stream().filter(e -> !e.getKey().equals(killed))
                .allMatch(e -> e.getValue().equals(pids.get(e.getKey())) && ProcessGroups.alive(e.getValue()));
        List<String> decisions = observed.between(mark, observed.mark(), e -> e.data() instanceof Decision d
                && d.action() != Decision.Action.NONE).stream()
                .map(s -> s.event().guestId() + "/" + ((Decision) s.event().data()).app() + " "
                        + TimelineFormat.decided(s.event().guestId(), (Decision) s.event().data()))
                .toList();
        return new Step(process, oldPid, newPid, backMs, unchanged, injected, decisions);
    }

    /** The failure's fact, its restart decision and the new pid. */
    private Injected recovered(Kill kill) throws InterruptedException {
        long deadline = Observed.deadline(stepTimeout);
        String app = kill.guest() + "/" + kill.app();
        Observed.Seen failed = observed.await(kill.mark(), e -> kill.guest().equals(e.guestId())
                && e.data() instanceof AppFailed f && f.app().equals(kill.app()) && Long.valueOf(kill.pid()).equals(f.pid()),
                deadline, app + " failed (pid " + kill.pid() + ")");
        Observed.Seen decided = observed.await(failed.seq(), e -> e.data() instanceof Decision d
                && d.causeIds().contains(failed.event().id()), deadline, "the decision on " + app + "'s failure");
        // From the failure, not the decision: the timeline reads several topics, so the new start (guest
        // topic) may be read before the decision that caused it (decisions topic).
        Observed.Seen started = observed.await(failed.seq(), e -> kill.guest().equals(e.guestId())
                && e.data() instanceof AppStarted s && s.app().equals(kill.app()) && s.pid() != null
                && s.pid() != kill.pid(), deadline, app + " started again");
        long newPid = ((AppStarted) started.event().data()).pid();
        pids.put(app, newPid);
        return new Injected(kill.guest(), kill.app(), kill.pid(), failed.event().id(), newPid);
    }

    /** Takes every application start seen since {@code mark} (an adoption repeats the pid) as the current pid. */
    private void refreshPids(int mark) {
        observed.between(mark, observed.mark(), e -> e.data() instanceof AppStarted s && s.pid() != null)
                .forEach(s -> pids.put(s.event().guestId() + "/" + ((AppStarted) s.event().data()).app(),
                        ((AppStarted) s.event().data()).pid()));
    }

    private void awaitExit(long pid, String what) {
        ProcessHandle.of(pid).ifPresent(p -> {
            try {
                p.onExit().get(stepTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(what + " (pid " + pid + ") did not exit within " + stepTimeout
                        + " of its restart signal; see " + fleet.runDir().resolve("logs/guests"));
            }
        });
    }
}
