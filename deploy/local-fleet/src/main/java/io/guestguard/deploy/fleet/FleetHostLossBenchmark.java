package io.guestguard.deploy.fleet;

import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostFenced;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Host loss on the real two-host fleet: a host supervisor is killed with SIGKILL. Its guests keep
 * running, as on a hung host, until the surviving host fences it. Measured for the watched guest,
 * from the kill (the supervisor's last beat is at most one beat interval, 250 ms, earlier) to
 * <ol type="a">
 *   <li>the engine's {@code FENCE_HOST} decision, read back committed from {@code decisions.v1};</li>
 *   <li>{@code host.fenced}: the survivor's supervisor ran the fence hook, which killed the lost host's guests;</li>
 *   <li>{@code guest.started} on the survivor;</li>
 *   <li>the new reporter's first {@code app.started} for the guest: its application is back.</li>
 * </ol>
 * Every run is on a fresh fleet, so that each starts from the same state: the guests on primary.
 */
final class FleetHostLossBenchmark {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

    private final LocalFleet fleet;
    private final Observed observed;
    private final String guest;

    /** One run: the hosts, and ms from the kill to each stage. */
    record Run(String lost, String survivor, long fenceDecidedMs, long fencedMs, long startedMs, long appUpMs) {
    }

    FleetHostLossBenchmark(LocalFleet fleet, Observed observed, String guest) {
        this.fleet = fleet;
        this.observed = observed;
        this.guest = guest;
    }

    /** One loss of {@code primary}, its guests running there; prints and returns the run. */
    Run run(int number, PrintStream out) throws InterruptedException {
        String lost = LocalFleet.HOSTS.get(0);
        String survivor = LocalFleet.HOSTS.get(1);
        long deadline = Observed.deadline(RUN_TIMEOUT);
        for (String g : LocalFleet.GUESTS) {
            int started = observed.await(0, fact(g, GuestStarted.class, s -> s.host().equals(lost)), deadline,
                    g + " started on " + lost).seq();
            observed.await(started, appUp(g), deadline, g + "/app1 started on " + lost);
        }
        Run run = once(lost, survivor);
        out.printf(Locale.ROOT, "  run %d: %s's supervisor killed -> fence decided %d ms, %s fenced %d ms, "
                        + "%s started on %s %d ms, app1 up %d ms%n", number, lost, run.fenceDecidedMs(), lost,
                run.fencedMs(), guest, survivor, run.startedMs(), run.appUpMs());
        return run;
    }

    private Run once(String lost, String survivor) throws InterruptedException {
        long deadline = Observed.deadline(RUN_TIMEOUT);
        int mark = observed.mark();
        long killed = System.nanoTime();
        fleet.supervisor(lost).crash();
        Observed.Seen decided = observed.await(mark, e -> guest.equals(e.guestId()) && e.data() instanceof Decision d
                && d.action() == Decision.Action.FENCE_HOST && lost.equals(d.fromHost()), deadline, "FENCE_HOST " + lost);
        Observed.Seen fenced = observed.await(mark, fact(guest, HostFenced.class, f -> f.host().equals(lost)), deadline,
                "host.fenced " + lost + " for " + guest);
        Observed.Seen started = observed.await(mark, fact(guest, GuestStarted.class, s -> s.host().equals(survivor)),
                deadline, guest + " started on " + survivor);
        Observed.Seen up = observed.await(started.seq(), appUp(guest), deadline, guest + "/app1 started on " + survivor);
        // Every guest back before the next loss, or that loss would find one still moving.
        for (String g : LocalFleet.GUESTS) {
            int s = observed.await(mark, fact(g, GuestStarted.class, x -> x.host().equals(survivor)), deadline,
                    g + " started on " + survivor).seq();
            observed.await(s, appUp(g), deadline, g + "/app1 started on " + survivor);
        }
        return new Run(lost, survivor, Observed.millis(killed, decided.nanos()), Observed.millis(killed, fenced.nanos()),
                Observed.millis(killed, started.nanos()), Observed.millis(killed, up.nanos()));
    }

    static String summary(List<Run> runs) {
        return String.format(Locale.ROOT, "result: supervisor SIGKILL -> (a) fence decided %s, (b) host fenced %s, "
                        + "(c) guest started on the survivor %s, (d) app1 up again %s (runs %d; target (a) <= 2000 ms)",
                stat(runs, Run::fenceDecidedMs), stat(runs, Run::fencedMs), stat(runs, Run::startedMs),
                stat(runs, Run::appUpMs), runs.size());
    }

    private static String stat(List<Run> runs, Function<Run, Long> stage) {
        List<Long> ms = runs.stream().map(stage).sorted(Comparator.naturalOrder()).toList();
        return "p50 " + ms.get((ms.size() - 1) / 2) + " ms / max " + ms.get(ms.size() - 1) + " ms";
    }

    private static Predicate<CloudEvent<?>> appUp(String g) {
        return e -> g.equals(e.guestId()) && e.data() instanceof AppStarted s && s.app().equals("app1") && s.pid() != null;
    }

    private static <T> Predicate<CloudEvent<?>> fact(String g, Class<T> type, Predicate<T> test) {
        return e -> g.equals(e.guestId()) && type.isInstance(e.data()) && test.test(type.cast(e.data()));
    }
}
