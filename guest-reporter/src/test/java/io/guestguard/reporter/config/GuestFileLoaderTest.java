package io.guestguard.reporter.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuestFileLoaderTest {

    @TempDir
    Path dir;

    private final GuestFileLoader loader = new GuestFileLoader();

    @Test
    void readsAValidFile() throws IOException {
        GuestSpec spec = loader.load(write("""
                guest: g1
                applications:
                  - name: app1
                    command: sleep 86400
                  - name: web
                    command: "python3 -m http.server 8080"
                """));

        assertThat(spec.guest()).isEqualTo("g1");
        assertThat(spec.applications()).containsExactly(
                new GuestSpec.AppSpec("app1", "sleep 86400"),
                new GuestSpec.AppSpec("web", "python3 -m http.server 8080"));
    }

    @Test
    void everyProblemNamesTheFileTheFieldAndTheFix() throws IOException {
        Path file = write("""
                guest: "bad id!"
                restarts: 3
                applications:
                  - name: app1
                    command: sleep 1
                  - name: app1
                    command: ""
                  - command: true
                """);

        assertThatThrownBy(() -> loader.load(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).containsExactlyInAnyOrder(
                        file + ": restarts: unknown field; remove it or use one of [applications, guest]",
                        file + ": guest: 'bad id!' is not a valid name; use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
                        file + ": applications[1].name: 'app1' is used twice; give each application its own name",
                        file + ": applications[1].command: missing or empty; give the command line that starts the application, e.g. 'sleep 86400'",
                        file + ": applications[2].name: missing; set it to a name of letters, digits, '.', '_' or '-'",
                        file + ": applications[2].command: missing or empty; give the command line that starts the application, e.g. 'sleep 86400'"));
    }

    @Test
    void brokenYamlAndMissingFilesAreReportedWithTheirPath() throws IOException {
        Path broken = write("guest: g1\napplications: [\n");
        assertThatThrownBy(() -> loader.load(broken)).hasMessageContaining(broken + ": not valid YAML at line");

        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> loader.load(missing)).hasMessageContaining(missing + ": cannot be read")
                .hasMessageContaining("guestguard.reporter.config-file");
    }

    @Test
    void aGuestNeedsApplications() throws IOException {
        Path file = write("guest: g1\n");
        assertThatThrownBy(() -> loader.load(file))
                .hasMessageContaining(file + ": applications: missing or empty; list at least one application");
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("guest.yaml"), yaml);
    }
}
