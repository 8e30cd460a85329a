package io.guestguard.deploy.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged guest reporter validates its guest file: {@code --check} says OK or lists every
 * problem with file, field and fix, without starting anything; a normal start on an invalid file
 * refuses to run.
 */
class ReporterConfigCheckTest {

    private static final Path JAR = Path.of(System.getProperty("guestguard.home", "../.."))
            .resolve("guest-reporter/target/quarkus-app/quarkus-run.jar");

    @Test
    void checkSaysOkForAValidFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("g1.yaml"), "guest: g1\napplications:\n  - name: app1\n    command: sleep 1\n");

        Result result = run(file, "--check");

        assertThat(result.exitCode).as(result.err).isZero();
        assertThat(result.out).contains(file + ": OK (guest g1, 1 applications)");
    }

    @Test
    void checkListsEveryProblemAndAStartRefusesToRun(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "guest: g1\ncolour: blue\napplications:\n  - name: app1\n");

        Result checked = run(file, "--check");
        assertThat(checked.exitCode).isEqualTo(1);
        assertThat(checked.err).contains(file + ": colour: unknown field; remove it, or use one of guest, kafka, state_dir, heartbeat_interval, stop_grace, outbox, applications, trust",
                file + ": applications[0].command: missing or empty; give the command line that starts the application");

        Result started = run(file);
        assertThat(started.exitCode).isEqualTo(1);
        assertThat(started.out + started.err).contains("refusing to start", "applications[0].command: missing or empty");
    }

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(Path guestFile, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dguestguard.reporter.config-file=" + guestFile, "-Dkafka.bootstrap.servers=127.0.0.1:9", "-Dquarkus.http.port=0", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("reporter-out", ".txt");
        Path err = Files.createTempFile("reporter-err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the reporter did not exit within 60 s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
