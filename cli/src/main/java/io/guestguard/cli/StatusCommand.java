package io.guestguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.guestguard.protocol.fleet.FleetStatus;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code guestguard status [-v] [--guest G] [--json]}: where every guest runs and what it is doing, how much
 * of each application's restart budget is used, how each host beats and what the guests know of it, how
 * far behind the policy engine is, and (with {@code -v}) each application's last failure and each guest's
 * last decision and why, as Serviceguard's {@code cmviewcl [-v]} and Pacemaker's {@code crm_mon} show a
 * cluster. It reads the topics and asks for the engine's consumer group (nothing to deploy) and exits 0
 * when all is well, 1 when degraded, 2 when a guest runs nowhere or the engine is silent.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows the fleet as cmviewcl does: a summary (verdict, freshness, the engine's lag), hosts and their beats, guests and where they run, each application's restarts used of its limit; -v adds, as cmviewcl -v, each guest's package and the hosts it knows, each application's failures, last failure and backoff, each guest's last decision and why. Reads GuestGuard's topics and the engine's consumer group.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all well", "1:degraded: a host silent, left, lost, fenced or detached, a guest not on its first host, moving, held or with switching disabled, an application at its restart limit, no engine in its group",
                "2:failed: a guest with auto_run runs nowhere, or the engine is silent (facts wait and its group has no member); or Kafka could not be read", "64:wrong command line"})
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-g", "--guest"}, paramLabel = "GUEST", description = "Show only this guest (and the hosts).")
    String guest;

    @Option(names = "--json", description = "Print the status as JSON, in the shape docs/operations.md documents.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Show everything, as cmviewcl -v: each guest's package and the hosts it knows, each application's failures, last failure and backoff, its last decision and why.")
    boolean verbose;

    @Option(names = "--engine-group", paramLabel = "GROUP", defaultValue = EngineGroup.DEFAULT_GROUP,
            description = "The policy engine's consumer group, its quarkus.kafka-streams.application-id (default: ${DEFAULT-VALUE}).")
    String engineGroup;

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
            status = FleetStatus.of(FleetTopics.read(kafka.settings(), kafka.topics(), kafka.timeout),
                    EngineGroup.read(kafka.settings(), kafka.topics().guestLog(), engineGroup, kafka.timeout));
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
            new StatusText(out, verbose).print(status);
        }
        return status.verdict().exitCode;
    }
}
