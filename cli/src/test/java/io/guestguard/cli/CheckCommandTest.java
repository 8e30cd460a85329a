package io.guestguard.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static io.guestguard.cli.PackageFileLoaderTest.sample;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code guestguard check} as an operator runs it: arguments in, exit code and output out. */
class CheckCommandTest {

    @Test
    void aValidFileIsSummarisedOnStdout() {
        Path file = sample("full.yaml");

        Run run = Run.of("check", "-f", file.toString());

        assertThat(run.exitCode).isZero();
        assertThat(run.out).isEqualTo(file + ": OK (package web-01, 3 hosts, 3 applications)" + System.lineSeparator());
        assertThat(run.err).isEmpty();
    }

    @Test
    void oneHostAndOneApplicationAreSingular() {
        Run run = Run.of("check", "--file", sample("minimal.yaml").toString());

        assertThat(run.exitCode).isZero();
        assertThat(run.out).endsWith(": OK (package g1, 1 host, 1 application)" + System.lineSeparator());
    }

    @Test
    void everyProblemGoesToStderrWithExitCode1() {
        Path file = sample("mistakes.yaml");

        Run run = Run.of("check", "-f", file.toString());

        assertThat(run.exitCode).isEqualTo(ExitCodes.INVALID_PACKAGE);
        assertThat(run.out).isEmpty();
        assertThat(run.err.lines().toList()).isEqualTo(PackageFileLoaderTest.problems(file));
    }

    @Test
    void aMissingFileIsAProblemOfTheFile() {
        Run run = Run.of("check", "-f", "nowhere/g1.yaml");

        assertThat(run.exitCode).isEqualTo(ExitCodes.INVALID_PACKAGE);
        assertThat(run.err).startsWith(Path.of("nowhere/g1.yaml") + ": no such file;");
    }

    @Test
    void aCommandLineMistakeIsAUsageErrorNotAKafkaOne() {
        Run withoutFile = Run.of("check");
        Run withoutSubcommand = Run.of();
        Run unknownSubcommand = Run.of("cmcheckconf", "-f", "g1.yaml");

        assertThat(withoutFile.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(withoutFile.err).contains("Missing required option: '--file=FILE'").contains("Usage: guestguard check");
        assertThat(withoutSubcommand.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(withoutSubcommand.err).contains("Missing subcommand: name one of check, apply, guest, app, replay, export");
        assertThat(unknownSubcommand.exitCode).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void helpListsTheSubcommandsAndExitCodes() {
        Run run = Run.of("--help");

        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("check", "apply", "Exit codes:", "64");
    }

    /** One execution with stdout and stderr captured, as the shell would see them. */
    record Run(int exitCode, String out, String err) {
        static Run of(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new GuestGuardCommand());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int exitCode = cli.execute(args);
            return new Run(exitCode, out.toString(), err.toString());
        }
    }
}
