package io.guestguard.cli;

import io.guestguard.cli.CheckCommandTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code guestguard replay --scenario DIR} on policy-core's real golden scenarios: a scenario runs
 * with no difference; a copy whose {@code expected.json} was altered shows the difference and exits
 * 3; a malformed copy names the file, the field and the fix and exits 1; the whole folder runs.
 */
class ReplayScenarioTest {

    private static final Path SCENARIOS = Path.of(System.getProperty("guestguard.home", ".."),
            "policy-core", "src", "test", "resources", "scenarios");
    private static final String NAME = "failover-configured-node-order";

    @TempDir
    Path tmp;

    @Test
    void aRealScenarioReplaysWithNoDifference() {
        Run run = Run.of("replay", "--scenario", SCENARIOS.resolve(NAME).toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("scenario " + NAME + ": * Failover g1 (h1 -> h2)")
                .contains("-> FAILOVER: ").contains("-> START_GUEST: ")
                .contains("3 decisions, 0 differences");
    }

    @Test
    void anAlteredExpectationIsReportedAsADifference() throws IOException {
        Path copy = copy(NAME);
        Path expected = copy.resolve("expected.json");
        String text = Files.readString(expected);
        String altered = text.replace("\"fromHost\": \"h1\", \"toHost\": \"h2\", \"epoch\": 1, \"reason\": \"RESTART_LIMIT_EXCEEDED\"",
                "\"fromHost\": \"h1\", \"toHost\": \"h3\", \"epoch\": 1, \"reason\": \"RESTART_LIMIT_EXCEEDED\"");
        assertThat(altered).as("the test alters the failover's target").isNotEqualTo(text);
        Files.writeString(expected, altered);

        Run run = Run.of("replay", "--scenario", copy.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.DIFFERENCE);
        assertThat(run.out()).contains("3 decisions, 1 differences from expected.json:")
                .contains("  decision #2")
                .containsPattern("expected \\{.*\"toHost\":\"h3\"")
                .containsPattern("replay   \\{.*\"toHost\":\"h2\"");
    }

    @Test
    void aMalformedFolderNamesTheFileTheFieldAndTheFix() throws IOException {
        Path copy = copy(NAME);
        Path facts = copy.resolve("facts.json");
        Files.writeString(facts, Files.readString(facts).replace("\"+1m10s\"", "\"+1x\""));

        Run run = Run.of("replay", "--scenario", copy.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_PACKAGE);
        assertThat(run.err().strip()).isEqualTo(copy.resolve("facts.json") + ": fact 4, field \"time\": '+1x' is not a"
                + " time; write an offset like +90s, +1m30s, +500ms, -2h or an ISO instant such as 2026-11-26T12:00:00Z");
    }

    @Test
    void brokenJsonAndMissingFilesAreNamedToo() throws IOException {
        Path broken = copy(NAME);
        Files.writeString(broken.resolve("view.json"), "{\"h1\": 0,");
        Run run = Run.of("replay", "--scenario", broken.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_PACKAGE);
        assertThat(run.err()).startsWith(broken.resolve("view.json") + ": is not valid JSON at line 1").contains("; fix the syntax there");

        Path unsummed = copy(NAME);
        Files.delete(unsummed.resolve("summary.txt"));
        run = Run.of("replay", "--scenario", unsummed.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_PACKAGE);
        assertThat(run.err()).startsWith(unsummed.resolve("summary.txt") + ": missing; write one readable line");

        run = Run.of("replay", "--scenario", tmp.resolve("nowhere").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_PACKAGE);
        assertThat(run.err()).contains("nowhere: no such folder; give a scenario folder holding facts.json");

        run = Run.of("replay", "--scenario", broken.toString(), "--input", "log.jsonl");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void everyScenarioOfTheCoreReplaysWithNoDifference() {
        Run run = Run.of("replay", "--scenario", SCENARIOS.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).containsPattern("\\d{2,} scenarios, 0 with differences, 0 malformed");
    }

    private Path copy(String name) throws IOException {
        Path target = Files.createDirectories(tmp.resolve(name + "-" + System.nanoTime()).resolve(name));
        try (Stream<Path> files = Files.list(SCENARIOS.resolve(name))) {
            for (Path file : files.toList()) {
                Files.writeString(target.resolve(file.getFileName()), Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return target;
    }
}
