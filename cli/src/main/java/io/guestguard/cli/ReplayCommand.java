package io.guestguard.cli;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.history.LoggedEvent;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * {@code guestguard replay}: re-runs the decider over the log (from a broker or an exported file) and,
 * with {@code --verify}, checks that it makes exactly the decisions that were made live. Like
 * Pacemaker's {@code crm_simulate}, it explains a decision by reproducing it.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        description = {"Re-runs the decider over the guest log and, with --verify, compares its decisions with the audit log.",
            "Prints 'N decisions, 0 differences', or the first difference with both versions side by side."})
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--input", paramLabel = "FILE", description = "Read an exported log (JSON Lines, as written by 'guestguard export') instead of the broker.")
    Path input;

    @Option(names = "--guest", paramLabel = "ID", description = "Replay only this guest.")
    String guest;

    @Option(names = "--from", paramLabel = "OFFSET|TIME",
            description = "Compare only decisions caused by facts at or after this partition offset (a number) or decision time (ISO-8601, e.g. 2026-11-26T12:00:00Z: the broker's time of the fact's record, which decisions carry as their time); earlier facts still rebuild the state.")
    String from;

    @Option(names = "--verify", description = "Compare with the decisions in the log; exit 3 at the first difference.")
    boolean verify;

    @Option(names = "--restart-limit", defaultValue = "3", paramLabel = "LIMIT",
            description = "The engine's restart limit for guests without a package, as its guestguard.policy.restart-limit (default: ${DEFAULT-VALUE}).")
    String restartLimit;

    @Option(names = "--scenario", paramLabel = "DIR",
            description = "Run a scenario folder (facts.json, expected.json, summary.txt, view.json, as policy-core's golden scenarios) through the decider instead of a log: prints each fact with its decisions and every difference from expected.json; exit 3 when there is one. A folder of scenario folders runs them all.")
    Path scenario;

    private final EventCodec codec = new EventCodec();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Predicate<LoggedEvent> compared;
        RestartLimit limit;
        try {
            compared = fromFilter(from);
            limit = RestartLimit.parse(restartLimit);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return ExitCodes.USAGE;
        }
        if (scenario != null) {
            if (input != null || guest != null || from != null) {
                err.println("--scenario replays a scenario folder, not a log; leave out --input, --guest and --from");
                return ExitCodes.USAGE;
            }
            return new ScenarioReplay(out, err, limit).run(scenario);
        }
        EventLog log = input != null ? new FileLog(input, guest, err::println)
                : new BrokerLog(kafka.settings(), kafka.topics(), guest, kafka.timeout);
        Progress progress = new Progress(err, log);
        Replayer replayer = new Replayer(new Decider(limit), compared,
                decision -> {
                    if (!verify) {
                        out.println(new String(codec.encode(decision), java.nio.charset.StandardCharsets.UTF_8));
                    }
                },
                progress::fact);
        Replayer.Report report;
        try {
            report = replayer.replay(log);
        } catch (KafkaException e) {
            err.println("cannot read the log from " + kafka.bootstrapServers + ": " + e.getMessage());
            return ExitCodes.KAFKA_UNAVAILABLE;
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println(e.getMessage());
            return ExitCodes.INVALID_PACKAGE;
        }
        progress.done(report.facts());
        if (report.difference() == null) {
            out.printf("%d decisions, 0 differences%s%n", report.decisions(), verify ? "" : " (not verified: add --verify)");
            return ExitCodes.OK;
        }
        Replayer.Difference d = report.difference();
        out.printf("%d decisions, first difference at the fact %s: %s%n", report.decisions(), d.where(), d.what());
        out.print(SideBySide.render("log", json(d.live()), "replay", json(d.replayed())));
        return verify ? ExitCodes.DIFFERENCE : ExitCodes.OK;
    }

    private String json(CloudEvent<Decision> decision) {
        if (decision == null) {
            return "(none)";
        }
        try {
            return codec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(codec.toJson(decision));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Predicate<LoggedEvent> fromFilter(String from) {
        if (from == null) {
            return logged -> true;
        }
        if (from.chars().allMatch(Character::isDigit)) {
            long offset = Long.parseLong(from);
            return logged -> logged.offset() >= offset;
        }
        try {
            Instant time = Instant.parse(from);
            return logged -> !logged.decisionTime().isBefore(time);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--from '" + from + "' is neither an offset nor an ISO-8601 time; "
                    + "give e.g. --from 1500 or --from 2026-11-26T12:00:00Z");
        }
    }

    /** Progress on standard error, at most once a second, so long replays show they are moving. */
    private static final class Progress {
        private final PrintWriter err;
        private final EventLog log;
        private long lastPrint = System.nanoTime();

        Progress(PrintWriter err, EventLog log) {
            this.err = err;
            this.log = log;
        }

        void fact(long count) {
            long now = System.nanoTime();
            if (now - lastPrint > 1_000_000_000L) {
                lastPrint = now;
                err.println(line(count));
                err.flush();
            }
        }

        void done(long count) {
            err.println(line(count) + ", done");
        }

        private String line(long count) {
            var size = log.size();
            return size.isPresent() && size.getAsLong() > 0
                    ? String.format(Locale.ROOT, "replayed %d of %d facts (%.0f%%)", count, size.getAsLong(), 100.0 * count / size.getAsLong())
                    : "replayed " + count + " facts";
        }
    }

    /** Two texts in two columns, differing lines marked with {@code *}. */
    static final class SideBySide {
        private SideBySide() {
        }

        static String render(String leftTitle, String left, String rightTitle, String right) {
            List<String> a = left.lines().toList();
            List<String> b = right.lines().toList();
            int width = Math.max(leftTitle.length(), a.stream().mapToInt(String::length).max().orElse(0));
            StringBuilder text = new StringBuilder(String.format("  %-" + width + "s | %s%n", leftTitle, rightTitle));
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                String l = i < a.size() ? a.get(i) : "";
                String r = i < b.size() ? b.get(i) : "";
                text.append(String.format("%s %-" + width + "s | %s%n", l.equals(r) ? " " : "*", l, r));
            }
            return text.toString();
        }
    }
}
