package io.guestguard.protocol.trust;

import io.guestguard.protocol.EventType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/security.md's authorization table says what {@link Authorization} enforces, row for row. */
class SecurityDocTest {

    private static final Path DOC = Path.of("..", "docs", "security.md");
    private static final String HEADER = "| event or command | who may emit it |";

    @Test
    void theDocumentedTableIsTheEnforcedOne() throws IOException {
        Map<String, Set<String>> documented = new TreeMap<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith(HEADER)) {
                inTable = true;
            } else if (inTable && !line.startsWith("|")) {
                break;
            } else if (inTable && !line.startsWith("|---")) {
                String[] cells = line.split("\\|");
                documented.put(cells[1].trim().replace("`", ""), Arrays.stream(cells[2].split(","))
                        .map(String::trim).collect(Collectors.toCollection(TreeSet::new)));
            }
        }

        Map<String, Set<String>> enforced = new TreeMap<>();
        for (EventType type : EventType.values()) {
            enforced.put(Authorization.shortName(type), Authorization.emitters(type).stream()
                    .map(role -> role.name().toLowerCase(Locale.ROOT)).collect(Collectors.toCollection(TreeSet::new)));
        }
        assertThat(documented).isEqualTo(enforced);
    }
}
