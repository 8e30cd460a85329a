package io.guestguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.guestguard.protocol.fleet.FleetStatus;
import io.guestguard.protocol.fleet.FleetStatus.AppStatus;
import io.guestguard.protocol.fleet.FleetStatus.GuestStatus;
import io.guestguard.protocol.fleet.FleetStatus.HostStatus;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code guestguard status [--guest G] [--json]}: where every guest runs, how much of each application's
 * restart budget is used, how each host beats, and why each guest's last decision was taken, as
 * Serviceguard's {@code cmviewcl -v} and Pacemaker's {@code crm_mon} show a cluster. It reads the topics
 * (nothing to deploy) and exits 0 when all is well, 1 when degraded, 2 when a guest runs nowhere.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows the fleet as cmviewcl -v does: hosts and their beats, guests and where they run, each application's restarts used of its limit, each guest's last decision and why. Reads GuestGuard's topics.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all well", "1:degraded: a host silent or left, a guest not on its first host or moving, an application at its restart limit",
                "2:failed: a guest with auto_run runs nowhere; or Kafka could not be read", "64:wrong command line"})
final class StatusCommand implements Callable<Integer> {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Option(names = {"-g", "--guest"}, paramLabel = "GUEST", description = "Show only this guest (and the hosts).")
    String guest;

    @Option(names = "--json", description = "Print the status as JSON, in the shape docs/operations.md documents.")
    boolean json;

    @Option(names = "--watch", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "2",
            description = "Show it again every SECONDS (default 2) until interrupted, as crm_mon does.")
    Integer watch;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        if (watch == null) {
            return once();
        }
        if (watch < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--watch takes whole seconds, at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        while (!Thread.currentThread().isInterrupted()) {
            out.print("\033[H\033[2J"); // home and clear, as watch(1) does
            once(); // a fleet or a Kafka in trouble is shown, not a reason to stop watching
            out.flush();
            Thread.sleep(watch * 1000L);
        }
        return ExitCodes.OK;
    }

    /** Reads the topics and prints the status once; the verdict's exit code. */
    private int once() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        FleetStatus status;
        try {
            status = FleetStatus.of(FleetTopics.read(kafka.settings(), kafka.topics(), kafka.timeout));
        } catch (KafkaException e) {
            spec.commandLine().getErr().println("status: cannot read GuestGuard's topics at " + kafka.settings().bootstrapServers()
                    + " (" + e.getMessage() + "); check that the brokers are up and that this user may read the topics");
            return ExitCodes.KAFKA_UNAVAILABLE;
        }
        if (guest != null) {
            status = new FleetStatus(status.readAt(), status.verdict(), status.problems(), status.summary(), status.hosts(),
                    status.guests().stream().filter(g -> g.guest().equals(guest)).toList());
        }
        if (json) {
            out.println(new ObjectMapper().registerModule(new JavaTimeModule())
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(status));
        } else {
            print(out, status);
        }
        return status.verdict().exitCode;
    }

    private static void print(PrintWriter out, FleetStatus status) {
        FleetStatus.Summary s = status.summary();
        out.printf("GuestGuard fleet at %s: %s (newest host beat %s ago, newest decision %s ago, %d dead letters in the last hour)%n",
                CLOCK.format(status.readAt()), status.verdict(), FleetStatus.seconds(s.newestBeatAgeMs()),
                FleetStatus.seconds(s.newestDecisionAgeMs()), s.deadLettersLastHour());
        out.printf("hosts: %s   guests: %s%n", counts(s.hosts()), counts(s.guests()));
        status.problems().forEach(p -> out.println("  ! " + p));
        out.println();
        out.printf("%-16s %-10s %-9s %s%n", "HOST", "STATE", "BEAT AGE", "GUESTS");
        for (HostStatus h : status.hosts()) {
            out.printf("%-16s %-10s %-9s %s%n", h.host(), h.state(), FleetStatus.seconds(h.beatAgeMs()),
                    h.guests().isEmpty() ? "-" : String.join(" ", h.guests()));
        }
        out.println();
        out.printf("%-16s %-9s %-16s %-6s %s%n", "GUEST", "PHASE", "HOST", "EPOCH", "HOSTS (* current), POLICY");
        for (GuestStatus g : status.guests()) {
            String hosts = g.hosts() == null ? "no package"
                    : g.hosts().stream().map(h -> h.equals(g.host()) ? "*" + h : h).collect(Collectors.joining(" "))
                    + ", " + (Boolean.TRUE.equals(g.autoRun()) ? "auto_run" : "no auto_run") + ", "
                    + g.failoverPolicy().toLowerCase(java.util.Locale.ROOT) + ", failback " + g.failbackPolicy().toLowerCase(java.util.Locale.ROOT);
            out.printf("%-16s %-9s %-16s %-6s %s%n", g.guest(), g.phase() == null ? "UNPLACED" : g.phase(),
                    g.host() == null ? "-" : g.host(), g.epoch() == null ? "-" : g.epoch(), hosts);
            for (AppStatus a : g.apps()) {
                out.printf("  %-14s restarts %d of %s%s%n", a.app(), a.restarts(), a.limit() == null ? "unlimited" : a.limit(),
                        a.atLimit() ? "  AT LIMIT" : "");
            }
            if (g.lastDecision() != null) {
                FleetStatus.LastDecision d = g.lastDecision();
                out.printf("  last decision %s %s: %s (cause %s)%n", CLOCK.format(d.time()), d.action(), d.reason(),
                        String.join(", ", d.causeIds()));
            }
        }
    }

    private static String counts(java.util.Map<?, Integer> counts) {
        return counts.isEmpty() ? "none" : counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().toString().toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.joining(", "));
    }
}
