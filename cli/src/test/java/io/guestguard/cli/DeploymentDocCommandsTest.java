package io.guestguard.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ./guestguard} command docs/deployment.md shows is one the CLI takes: its subcommands
 * and options exist and their values parse (nothing is run), so the deployment guide cannot drift
 * from the CLI unnoticed.
 */
class DeploymentDocCommandsTest {

    private static final Path DOC = Path.of("..", "docs", "deployment.md");
    /** What the guide writes as $KAFKA, defined once in it. */
    private static final String KAFKA = "--bootstrap-servers b1:9094 --command-config client.properties";

    @Test
    void everyGuestguardCommandInTheGuideParses() throws IOException {
        List<String> commands = commands(Files.readAllLines(DOC));

        assertThat(commands).as("./guestguard commands in docs/deployment.md").hasSizeGreaterThan(10);
        assertThat(commands).allSatisfy(command -> assertThat(problem(command)).as(command).isNull());
    }

    @Test
    void aCommandWithAnOptionTheCliDoesNotHaveIsCaught() {
        assertThat(problem("./guestguard topics create $KAFKA --replicas 3")).contains("--replicas");
        assertThat(problem("./guestguard keys make --role root --name root")).contains("make");
    }

    /** The lines of the guide's code blocks that run {@code ./guestguard}, continuation lines joined. */
    static List<String> commands(List<String> lines) {
        List<String> commands = new ArrayList<>();
        boolean inCode = false;
        StringBuilder current = null;
        for (String line : lines) {
            if (line.startsWith("```")) {
                inCode = !inCode;
                continue;
            }
            if (!inCode) {
                continue;
            }
            String text = line.strip();
            if (current == null && text.startsWith("./guestguard ")) {
                current = new StringBuilder();
            }
            if (current != null) {
                boolean continued = text.endsWith("\\");
                current.append(continued ? text.substring(0, text.length() - 1) : text).append(' ');
                if (!continued) {
                    commands.add(current.toString().strip());
                    current = null;
                }
            }
        }
        return commands;
    }

    /** Why the CLI would refuse {@code command} (a shell line), or null if it parses. */
    static String problem(String command) {
        String line = command.replace("$KAFKA", KAFKA);
        for (String end : List.of(" #", " >", " |")) {
            int at = line.indexOf(end);
            if (at >= 0) {
                line = line.substring(0, at);
            }
        }
        String[] words = line.strip().split("\\s+");
        String[] args = Arrays.stream(words, 1, words.length).map(w -> w.replace("'", "").replace("\"", "")).toArray(String[]::new);
        try {
            new CommandLine(new GuestGuardCommand()).parseArgs(args);
            return null;
        } catch (CommandLine.ParameterException e) {
            return e.getMessage();
        }
    }
}
