package io.guestguard.deploy.fleet;

import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Figure 16 of the Serviceguard white paper ("Failover of a VM guest due to an application
 * failure"), played on the two-host fleet:
 * <ol>
 *   <li>wait until the guest runs on {@code primary} with its application up;</li>
 *   <li>kill the application (SIGKILL, its pid from the last {@code app.started} fact), and again
 *       each time it comes back, until the engine stops restarting it: its {@code service_restart}
 *       is used up;</li>
 *   <li>the engine fails the guest over: halt on {@code primary}, start on {@code standby};</li>
 *   <li>wait until the new reporter on {@code standby} reports the application started.</li>
 * </ol>
 * Then it prints what happened to the guest, facts and decisions with times relative to the first
 * kill, and a summary. Any other outcome (no restart, a hold, an alert, a deadline passed) ends the
 * play with an exception that says what was awaited.
 */
final class Figure16Demo {

    static final String FROM = "primary";
    static final String TO = "standby";

    private final Observed observed;
    private final String guest;
    private final String app;
    private final PrintStream out;
    private final java.util.function.IntConsumer beforeKill;
    private final TimelineFormat format = new TimelineFormat(java.time.ZoneId.systemDefault());

    /** One kill the demo made, for the play's timeline. */
    private record Kill(long nanos, long pid) {
    }

    /** What the play found: restart attempts, kills and the failover's stages in ms from the deciding kill. */
    record Result(List<Integer> attempts, int kills, long decidedMs, long haltedMs, long startedMs, long appUpMs, long newPid) {
    }

    Figure16Demo(Observed observed, String guest, String app, PrintStream out) {
        this(observed, guest, app, out, kill -> {
        });
    }

    /**
     * @param beforeKill called with each kill's number (1, 2, …) just before it, e.g. to move the guest's
     *                   clock between two failures
     */
    Figure16Demo(Observed observed, String guest, String app, PrintStream out, java.util.function.IntConsumer beforeKill) {
        this.observed = observed;
        this.guest = guest;
        this.app = app;
        this.out = out;
        this.beforeKill = beforeKill;
    }

    Result play(Duration timeout) throws InterruptedException {
        long deadline = Observed.deadline(timeout);
        observed.await(0, fact(GuestStarted.class, s -> s.host().equals(FROM)), deadline, guest + " started on " + FROM);
        observed.await(0, appStarted(), deadline, guest + "/" + app + " started on " + FROM);
        long pid = lastPid();
        out.printf("%s runs on %s with %s up (pid %d); killing %s each time it is back ...%n", guest, FROM, app, pid, app);

        List<Kill> kills = new ArrayList<>();
        int firstMark = observed.mark();
        Observed.Seen failover;
        while (true) {
            int mark = observed.mark();
            long killed = pid;
            beforeKill.accept(kills.size() + 1);
            kills.add(new Kill(System.nanoTime(), killed));
            ProcessHandle.of(killed).orElseThrow(() -> new IllegalStateException(guest + "/" + app + "'s pid " + killed
                    + " is gone before the demo killed it")).destroyForcibly();
            out.printf("  kill -9 %d (%s/%s, kill %d)%n", killed, guest, app, kills.size());
            Observed.Seen next;
            try {
                next = observed.await(mark, e -> guest.equals(e.guestId())
                                && (e.data() instanceof AppStarted s && s.app().equals(app) && s.pid() != null && s.pid() != killed
                                || e.data() instanceof Decision d && d.action() != Decision.Action.RESTART_APP),
                        deadline, guest + "/" + app + " restarted after kill " + kills.size() + ", or a failover decision");
            } catch (Observed.DeadlineException e) {
                // What this guest did since its play began says more than the fleet's last lines.
                String own = observed.between(firstMark, observed.mark(), event -> guest.equals(event.guestId())).stream()
                        .map(seen -> format.line(seen.event())).collect(java.util.stream.Collectors.joining("\n    "));
                throw new Observed.DeadlineException(e.getMessage() + "\n  " + guest + " since its play began:\n    " + own);
            }
            if (next.event().data() instanceof AppStarted started) {
                pid = started.pid();
                continue;
            }
            Decision decision = (Decision) next.event().data();
            if (decision.action() != Decision.Action.FAILOVER) {
                throw new IllegalStateException("the engine decided '" + format.entry(next.event())
                        + "' where Figure 16 restarts " + app + " or fails " + guest + " over");
            }
            failover = next;
            break;
        }
        Observed.Seen halted = observed.await(failover.seq(), fact(GuestHalted.class, h -> h.host().equals(FROM)),
                deadline, guest + " halted on " + FROM);
        Observed.Seen started = observed.await(failover.seq(), fact(GuestStarted.class, s -> s.host().equals(TO)),
                deadline, guest + " started on " + TO);
        Observed.Seen appUp = observed.await(started.seq(), appStarted(), deadline, guest + "/" + app + " started on " + TO);

        long zero = kills.get(0).nanos();
        long deciding = kills.get(kills.size() - 1).nanos();
        printTimeline(zero, kills, observed.between(firstMark, appUp.seq(), e -> guest.equals(e.guestId())));
        List<Integer> attempts = observed.between(firstMark, appUp.seq(), e -> guest.equals(e.guestId())
                        && e.data() instanceof Decision d && d.action() == Decision.Action.RESTART_APP && app.equals(d.app()))
                .stream().map(s -> ((Decision) s.event().data()).attempt()).toList();
        return new Result(attempts, kills.size(), Observed.millis(deciding, failover.nanos()),
                Observed.millis(deciding, halted.nanos()), Observed.millis(deciding, started.nanos()),
                Observed.millis(deciding, appUp.nanos()), ((AppStarted) appUp.event().data()).pid());
    }

    static String summary(String guest, String app, Result r) {
        String attempts = r.attempts().stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("none");
        return String.format(Locale.ROOT, """
                summary: %s/%s killed %d times: restarted in place %d times (attempts %s), then its restart limit was \
                exceeded and %s failed over from %s to %s
                failover: from the last kill, fail over decided in %d ms, halted on %s in %d ms, started on %s in %d ms, \
                %s running again on %s (pid %d) in %d ms""",
                guest, app, r.kills(), r.attempts().size(), attempts, guest, FROM, TO,
                r.decidedMs(), FROM, r.haltedMs(), TO, r.startedMs(), app, TO, r.newPid(), r.appUpMs());
    }

    private void printTimeline(long zero, List<Kill> kills, List<Observed.Seen> events) {
        record Line(long nanos, String text) {
        }
        List<Line> lines = new ArrayList<>();
        kills.forEach(k -> lines.add(new Line(k.nanos(), "demo: kill -9 " + k.pid() + " (" + guest + "/" + app + ")")));
        events.forEach(s -> lines.add(new Line(s.nanos(), format.entry(s.event()))));
        lines.sort(Comparator.comparingLong(Line::nanos));
        out.println("timeline of the play (seconds from the first kill, as the facts and decisions were read):");
        lines.forEach(l -> out.printf(Locale.ROOT, "  +%7.3f  %s%n", (l.nanos() - zero) / 1e9, l.text()));
    }

    private long lastPid() {
        List<Observed.Seen> starts = observed.all(appStarted());
        return ((AppStarted) starts.get(starts.size() - 1).event().data()).pid();
    }

    private Predicate<CloudEvent<?>> appStarted() {
        return e -> guest.equals(e.guestId()) && e.data() instanceof AppStarted s && s.app().equals(app) && s.pid() != null;
    }

    private <T> Predicate<CloudEvent<?>> fact(Class<T> type, Predicate<T> test) {
        return e -> guest.equals(e.guestId()) && type.isInstance(e.data()) && test.test(type.cast(e.data()));
    }
}
