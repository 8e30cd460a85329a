package io.guestguard.cli;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.GuestState;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.history.CommandOutcome;
import io.guestguard.protocol.history.DecisionChain;
import io.guestguard.protocol.history.GuestChain;
import io.guestguard.protocol.history.LoggedEvent;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code guestguard why GUEST [APP]}: the guest's last decisions, each with the facts that caused it,
 * the commands it sent and what became of them (refused, or the fact that shows it carried out), as
 * Pacemaker's {@code crm_simulate} explains a transition; then what stands between the guest and a
 * failover now (budgets used of their limits, holds, hosts that are not eligible and why, a fence
 * pending), from its state as the real decider rebuilds it by replaying the guest's log.
 */
@Command(name = "why", mixinStandardHelpOptions = true,
        description = "Explains a guest's last decisions (their causes, commands and outcomes) and what would make it fail over now, from its log replayed through the decider.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:explained", "2:Kafka could not be read", "5:the log has no fact about the guest", "64:wrong command line"})
final class WhyCommand implements Callable<Integer> {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "GUEST", description = "The guest.")
    String guest;

    @Parameters(index = "1", arity = "0..1", paramLabel = "APP", description = "Only the decisions about this application.")
    String app;

    @Option(names = "--last", defaultValue = "5", paramLabel = "N", description = "How many decisions to explain (default: ${DEFAULT-VALUE}).")
    int last;

    @Option(names = "--restart-limit", defaultValue = "3", paramLabel = "LIMIT",
            description = "The engine's restart limit for guests without a package, as its guestguard.policy.restart-limit (default: ${DEFAULT-VALUE}).")
    String restartLimit;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RestartLimit limit;
        try {
            limit = RestartLimit.parse(restartLimit);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return ExitCodes.USAGE;
        }
        Recorded log = new Recorded(new BrokerLog(kafka.settings(), kafka.topics(), guest, kafka.timeout));
        Replayer.Report report;
        try {
            report = new Replayer(new Decider(limit), logged -> true, decision -> { }, n -> { }).replay(log);
        } catch (KafkaException e) {
            err.println("cannot read the log from " + kafka.bootstrapServers + ": " + e.getMessage());
            return ExitCodes.KAFKA_UNAVAILABLE;
        }
        GuestState state = report.states().get(guest);
        if (state == null) {
            err.println("why " + guest + ": the guest log has no fact about " + guest + " (check its name)");
            return ExitCodes.NO_GUEST;
        }
        List<CloudEvent<Decision>> decisions = log.decided.values().stream()
                .filter(d -> app == null || app.equals(d.data().app()))
                .sorted(Comparator.comparing(CloudEvent::time)).toList();
        out.printf("why %s%s: its last %d of %d decision(s)%n", guest, app == null ? "" : "/" + app,
                Math.min(last, decisions.size()), decisions.size());
        GuestChain chain = GuestChain.of(log.facts, decisions, List.of(), List.of(), Map.of());
        decisions.subList(Math.max(0, decisions.size() - last), decisions.size()).forEach(d -> explain(out, chain.explain(d)));
        out.println();
        WhyNot.lines(guest, state, app, java.time.Instant.now()).forEach(out::println);
        if (report.difference() != null) {
            out.println("note: replaying the log does not reproduce every live decision (" + report.difference().what()
                    + " at " + report.difference().where() + "): run guestguard replay --verify --guest " + guest);
        }
        return ExitCodes.OK;
    }

    private static void explain(PrintWriter out, DecisionChain chain) {
        Decision d = chain.decision().data();
        out.printf("%n%s  %s%s: %s%n", CLOCK.format(chain.decision().time()), d.action(), d.app() == null ? "" : " " + d.app(), d.reason().text());
        for (DecisionChain.Cause cause : chain.causes()) {
            LoggedEvent f = cause.fact();
            if (f == null) {
                out.printf("    because  fact %s (not on the log any more)%n", cause.id());
            } else {
                out.printf("    because  %s  %s (%s, %s)%n", CLOCK.format(f.decisionTime()),
                        f.event().data() instanceof Fact fact ? fact.describe() : f.event().type(),
                        f.event().source(), cause.id());
            }
        }
        for (DecisionChain.Sent sent : chain.commands()) {
            out.printf("    sent     %s: %s%n", sent.id(), outcome(sent.outcome()));
        }
    }

    /** What became of a command, in the words {@code why} has always used. */
    private static String outcome(CommandOutcome outcome) {
        return switch (outcome.kind()) {
            case REFUSED -> {
                CommandRefused r = (CommandRefused) outcome.fact().event().data();
                yield "REFUSED by " + r.host() + " at " + CLOCK.format(outcome.fact().decisionTime()) + ": " + r.reason();
            }
            case APPLIED, ACKNOWLEDGED -> "then " + outcome.describe() + " at " + CLOCK.format(outcome.fact().decisionTime());
            case PENDING -> "no outcome on the log yet";
        };
    }

    /** The guest's log, keeping the facts and decisions the replay reads. */
    private static final class Recorded implements EventLog {
        private final EventLog log;
        final List<LoggedEvent> facts = new ArrayList<>();
        Map<String, CloudEvent<Decision>> decided = Map.of();

        Recorded(EventLog log) {
            this.log = log;
        }

        @Override
        public void facts(Consumer<LoggedEvent> sink) {
            log.facts(logged -> {
                facts.add(logged);
                sink.accept(logged);
            });
        }

        @Override
        public Map<String, CloudEvent<Decision>> decisions() {
            decided = log.decisions();
            return decided;
        }

        @Override
        public OptionalLong size() {
            return log.size();
        }
    }
}
