package io.guestguard.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each subcommand, at small sizes, runs to its end (the engine and restore ones against a real broker)
 * and reports figures that make sense. Speed is reported by the benchmarks, never asserted here.
 */
class BenchCommandTest {

    @Test
    void coreDecidesTheMixAndReportsEachWay() {
        String out = run("core", "--guests", "100", "--facts", "1000", "--warmup", "1", "--runs", "3", "--json-warmup", "0",
                "--json-runs", "1", "--signed-facts", "200");

        String result = resultLine(out);
        double pure = number(result, "core ([\\d,]+) facts/s per core");
        double withState = number(result, "; ([\\d,]+) with the state JSON round trip");
        double perRecord = number(result, "; ([\\d,]+) with the engine's whole per-record work");
        assertThat(pure).isPositive();
        assertThat(withState).isPositive();
        assertThat(perRecord).isPositive();
        assertThat(out).contains("mix: 1,000 facts for 100 guests").contains("RESTART_APP").contains("per-record work by step");
        // Every fact of the signed pass passes the gate (or the run throws), and its cost is reported.
        assertThat(number(out, "signed records, ([\\d,]+) facts")).isEqualTo(200);
        assertThat(number(out, "engine: verify ([\\d,]+) µs")).isPositive();
        assertThat(number(out, "; ([\\d,]+) facts/s on one core")).isPositive();
        assertMachine(out);
    }

    @Test
    void hostloadTimesMinPackageNodeFactsAtEachFleetSize() {
        String out = run("hostload", "--fleets", "10,200", "--hosts", "20", "--measured", "10", "--facts", "200", "--rounds", "2");

        String result = resultLine(out);
        assertThat(number(result, "([\\d.]+) µs per fact with 10 guests")).isPositive();
        assertThat(number(result, "([\\d.]+) µs with 200")).isPositive();
        // The measured guests are decided on at both sizes: restarts at least.
        assertThat(number(out, "fleet of 200 guests on 20 hosts: [\\d.]+ µs per fact \\(([\\d,]+) decisions")).isPositive();
        assertMachine(out);
    }

    @Test
    void extrasTimesTheSpanAndThePlacementRecordOfTheMix() {
        String out = run("extras", "--guests", "100", "--facts", "1000", "--runs", "1");

        String result = resultLine(out);
        assertThat(number(result, "span with OpenTelemetry off ([\\d,]+) ns")).isPositive();
        assertThat(number(result, "compared ([\\d,]+) ns per fact")).isPositive();
        assertThat(number(result, "; ([\\d.]+) placements written per fact")).isPositive();
        assertMachine(out);
    }

    @Test
    void spawnTimesRealStartsWithAndWithoutTheShell() {
        String out = run("spawn", "--starts", "10");

        String result = resultLine(out);
        double direct = number(result, "direct p50 ([\\d.]+) ms");
        double shell = number(result, "with shell p50 ([\\d.]+) ms");
        assertThat(direct).isPositive();
        assertThat(shell).isPositive();
        assertThat(out).contains("setsid sleep 600").contains("setsid /bin/sh -c exec sleep 600");
        assertMachine(out);
    }

    @Test
    void stateReportsBytesPerApplicationAndTheChangelogRecord() {
        String out = run("state", "--guests", "50", "--apps", "4");

        String result = resultLine(out);
        double perApp = number(result, "state ([\\d,]+) bytes per application");
        double perGuest = number(result, "\\(([\\d,]+) per guest of 4 applications");
        double record = number(result, "changelog record ([\\d,]+) bytes per guest");
        // A package alone names its hosts and each application's command: hundreds of bytes, not tens or megabytes.
        assertThat(perApp).isBetween(50.0, 10_000.0);
        assertThat(perGuest).isEqualTo(perApp * 4, org.assertj.core.data.Offset.offset(4.0));
        assertThat(record).isGreaterThan(perGuest);
        assertThat(out).contains("bytes by field, per guest: ").contains("recentFacts").contains("spec");
        assertMachine(out);
    }

    @Test
    void engineRunsThePassthroughsAndTheTopologyOnARealBroker() {
        String out = run("engine", "--guests", "50", "--facts", "1000", "--warmup-facts", "0", "--partitions", "2");

        String result = resultLine(out);
        assertThat(number(result, "engine ([\\d,]+) facts/s")).isPositive();
        assertThat(number(result, "transactional passthrough ([\\d,]+) records/s")).isPositive();
        assertThat(number(result, "plain passthrough ([\\d,]+) records/s")).isPositive();
        assertThat(number(result, "Kafka Streams passthrough ([\\d,]+) records/s")).isPositive();
        assertThat(number(result, "ratio ([\\d.]+)")).isPositive();
        // The run itself fails unless the engine's committed output is what the pure core decided.
        assertThat(out).contains("0 dead letters").contains("processing.guarantee=exactly_once_v2");
        assertMachine(out);
    }

    @Test
    void restoreBringsBackEveryGuestAndDecidesOnFromTheRestoredState() {
        String out = run("restore", "--guests", "500", "--partitions", "2", "--samples", "5", "--cleaner-quiet", "PT1S");

        String result = resultLine(out);
        assertThat(number(result, "restore ([\\d.]+) s for 500 guests")).isPositive();
        // At least the latest state of every guest; one record per fact (three each) while the store has no cache.
        assertThat(number(result, "changelog ([\\d,]+) records")).isBetween(500.0, 1500.0);
        assertThat(number(result, "MiB, ([\\d.]+) records per guest")).isBetween(1.0, 3.0);
        assertThat(out).contains("restored state equals the pure core's");
        assertMachine(out);
    }

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = BenchCommand.execute(new PrintStream(bytes, true, StandardCharsets.UTF_8), args);
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        // The cause of a failed run is at the end of its output; keep it in the failure message.
        String tail = out.lines().skip(Math.max(0, out.lines().count() - 40)).collect(java.util.stream.Collectors.joining("\n"));
        assertThat(exit).as("exit code of bench %s; its output ended with:%n%s", String.join(" ", args), tail).isZero();
        return out;
    }

    private static String resultLine(String out) {
        return out.lines().filter(l -> l.startsWith("result: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no result line in:\n" + out));
    }

    private static double number(String line, String regex) {
        Matcher m = Pattern.compile(regex).matcher(line);
        assertThat(m.find()).as("'%s' in '%s'", regex, line).isTrue();
        return Double.parseDouble(m.group(1).replace(",", ""));
    }

    private static void assertMachine(String out) {
        assertThat(out.lines().filter(l -> l.startsWith("machine: ")).findFirst()).hasValueSatisfying(line ->
                assertThat(line.toLowerCase(Locale.ROOT)).containsPattern("\\d+ cores \\(.+\\)").contains("java 1"));
    }
}
