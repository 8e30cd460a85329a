package io.guestguard.cli;

import io.guestguard.policy.core.Decider;
import io.guestguard.policy.core.RestartLimit;
import io.guestguard.policy.core.scenario.Scenario;
import io.guestguard.policy.core.scenario.ScenarioProblem;
import io.guestguard.policy.core.scenario.ScenarioRun;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code guestguard replay --scenario DIR}: runs a scenario folder (the format of policy-core's
 * golden scenarios, read by the same {@link Scenario} reader as its {@code ScenarioTest}) through
 * the real decider, prints each fact with the decisions it caused, and compares them with the
 * folder's {@code expected.json}, as Pacemaker's {@code crm_simulate} runs a saved input. A folder
 * without {@code facts.json} whose subfolders have one (e.g. {@code policy-core/src/test/resources/scenarios})
 * runs every scenario in it.
 */
final class ScenarioReplay {

    private final PrintWriter out;
    private final PrintWriter err;
    private final RestartLimit limit;

    ScenarioReplay(PrintWriter out, PrintWriter err, RestartLimit limit) {
        this.out = out;
        this.err = err;
        this.limit = limit;
    }

    /** Runs {@code dir}; returns the exit code: 0, {@link ExitCodes#DIFFERENCE} or {@link ExitCodes#INVALID_PACKAGE}. */
    int run(Path dir) {
        if (!Files.isDirectory(dir)) {
            err.println(dir + ": no such folder; give a scenario folder holding facts.json, summary.txt and expected.json");
            return ExitCodes.INVALID_PACKAGE;
        }
        List<Path> folders = Files.exists(dir.resolve(Scenario.FACTS)) ? List.of(dir) : subfolders(dir);
        if (folders.isEmpty()) {
            err.println(dir + ": holds no " + Scenario.FACTS + " and no scenario folder; give a scenario folder"
                    + " holding facts.json, summary.txt and expected.json (see policy-core/src/test/resources/scenarios/README.md)");
            return ExitCodes.INVALID_PACKAGE;
        }
        int malformed = 0;
        int differing = 0;
        for (Path folder : folders) {
            Scenario scenario;
            try {
                scenario = read(folder);
            } catch (ScenarioProblem e) {
                err.println(folder.resolve(e.getMessage()));
                malformed++;
                continue;
            } catch (UncheckedIOException e) {
                err.println(e.getCause().getMessage());
                malformed++;
                continue;
            }
            if (!show(scenario)) {
                differing++;
            }
        }
        if (folders.size() > 1) {
            out.printf("%d scenarios, %d with differences, %d malformed%n", folders.size(), differing, malformed);
        }
        out.flush();
        return malformed > 0 ? ExitCodes.INVALID_PACKAGE : differing > 0 ? ExitCodes.DIFFERENCE : ExitCodes.OK;
    }

    /** Prints what the decider does with the scenario and how it differs from expected.json; true when it does not. */
    private boolean show(Scenario scenario) {
        ScenarioRun run = ScenarioRun.run(scenario, new Decider(limit));
        out.println("scenario " + scenario.name() + ": " + scenario.summary());
        out.print(run.trace());
        int decisions = run.rendered().path("decisions").size();
        if (scenario.expected() == null) {
            out.printf("%d decisions, not compared: the folder has no %s (policy-core's ScenarioTest with"
                    + " -Dscenarios.update=true drafts one)%n%n", decisions, Scenario.EXPECTED);
            return true;
        }
        List<ScenarioRun.Difference> differences = run.differences();
        out.printf("%d decisions, %d differences%s%n", decisions, differences.size(),
                differences.isEmpty() ? "" : " from " + Scenario.EXPECTED + ":");
        for (ScenarioRun.Difference d : differences) {
            out.println("  " + d.where());
            out.println("    expected " + (d.expected() == null ? "nothing" : d.expected().toString()));
            out.println("    replay   " + (d.actual() == null ? "nothing" : d.actual().toString()));
        }
        out.println();
        return differences.isEmpty();
    }

    /** The folder's files through the core's reader; the reader itself touches no file. */
    static Scenario read(Path folder) {
        return Scenario.read(folder.getFileName().toString(), name -> {
            Path file = folder.resolve(name);
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            try {
                return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(new IOException(file + ": cannot be read (" + e + "); check that it is"
                        + " a readable UTF-8 text file", e));
            }
        });
    }

    private static List<Path> subfolders(Path dir) {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(d -> Files.exists(d.resolve(Scenario.FACTS))).sorted().forEach(found::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
