package io.guestguard.reporter.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Every guest file shown in docs/operations.md is one the reporter accepts, so the docs stay true. */
class DocumentedGuestFilesTest {

    private static final Path DOC = Path.of("../docs/operations.md");
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(guest:.*?)```", Pattern.DOTALL);

    @Test
    void everyGuestFileInTheOperationsGuideLoads(@TempDir Path dir) throws IOException {
        List<String> examples = new ArrayList<>();
        Matcher m = YAML_BLOCK.matcher(Files.readString(DOC));
        while (m.find()) {
            examples.add(m.group(1));
        }
        assertThat(examples).as("guest files in " + DOC).hasSizeGreaterThanOrEqualTo(4);

        // The files the documented Kafka security settings name, beside the guest file.
        for (String name : List.of("kafka.password", "ca.p12", "ca.p12.password")) {
            Files.writeString(dir.resolve(name), "x");
        }
        for (int i = 0; i < examples.size(); i++) {
            Path file = Files.writeString(dir.resolve("example-" + i + ".yaml"), examples.get(i));
            GuestSpec spec = new GuestFileLoader().load(file);
            assertThat(spec.applications()).as(examples.get(i)).isNotEmpty();
        }
    }
}
