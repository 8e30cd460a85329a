package io.guestguard.reporter.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a guest's YAML file:
 *
 * <pre>
 * guest: g1
 * applications:
 *   - name: app1
 *     command: sleep 86400
 * </pre>
 *
 * Collects every problem before failing, each as {@code FILE: FIELD: what is wrong; the fix}.
 */
public final class GuestFileLoader {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Set<String> TOP_LEVEL = Set.of("guest", "applications");
    private static final Set<String> APP_FIELDS = Set.of("name", "command");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    public GuestSpec load(Path file) {
        JsonNode root;
        try {
            root = yaml.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(List.of(file + ": not valid YAML at line "
                    + e.getLocation().getLineNr() + ": " + e.getOriginalMessage() + "; fix the syntax"));
        } catch (IOException e) {
            throw new InvalidConfigException(List.of(file + ": cannot be read (" + e + "); "
                    + "point guestguard.reporter.config-file at a readable YAML file"));
        }
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new InvalidConfigException(List.of(file + ": is empty or not a mapping; "
                    + "write 'guest: ID' and an 'applications:' list"));
        }
        unknownFields(root, TOP_LEVEL, "", file, problems);
        String guest = requiredName(root, "guest", "guest", file, problems);
        List<GuestSpec.AppSpec> apps = new ArrayList<>();
        JsonNode list = root.get("applications");
        if (list == null || !list.isArray() || list.isEmpty()) {
            problems.add(file + ": applications: missing or empty; list at least one application with a name and a command");
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                String field = "applications[" + i + "]";
                JsonNode app = list.get(i);
                if (!app.isObject()) {
                    problems.add(file + ": " + field + ": not a mapping; give it 'name:' and 'command:'");
                    continue;
                }
                unknownFields(app, APP_FIELDS, field + ".", file, problems);
                String name = requiredName(app, "name", field + ".name", file, problems);
                if (name != null && !seen.add(name)) {
                    problems.add(file + ": " + field + ".name: '" + name + "' is used twice; give each application its own name");
                }
                JsonNode command = app.get("command");
                if (command == null || !command.isTextual() || command.asText().isBlank()) {
                    problems.add(file + ": " + field + ".command: missing or empty; give the command line that starts the application, e.g. 'sleep 86400'");
                } else if (name != null) {
                    apps.add(new GuestSpec.AppSpec(name, command.asText().trim()));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new GuestSpec(guest, apps);
    }

    private static String requiredName(JsonNode node, String key, String field, Path file, List<String> problems) {
        JsonNode value = node.get(key);
        if (value == null || !value.isValueNode() || value.asText().isBlank()) {
            problems.add(file + ": " + field + ": missing; set it to a name of letters, digits, '.', '_' or '-'");
            return null;
        }
        String text = value.asText();
        if (!NAME.matcher(text).matches()) {
            problems.add(file + ": " + field + ": '" + text + "' is not a valid name; use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
            return null;
        }
        return text;
    }

    private static void unknownFields(JsonNode node, Set<String> known, String prefix, Path file, List<String> problems) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                problems.add(file + ": " + prefix + name + ": unknown field; remove it or use one of " + known.stream().sorted().toList());
            }
        }
    }
}
