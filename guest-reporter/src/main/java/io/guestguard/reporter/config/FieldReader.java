package io.guestguard.reporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.Durations;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads typed values out of one YAML file and collects every problem, each as
 * {@code FILE: FIELD: what is wrong; the fix}, so an operator sees them all at once. A value that
 * has a problem reads as its default (or {@code null}), so reading can go on.
 */
final class FieldReader {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final Path file;
    private final List<String> problems = new ArrayList<>();

    FieldReader(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    List<String> problems() {
        return problems;
    }

    int problemCount() {
        return problems.size();
    }

    void problem(String field, String message) {
        problems.add(file + ": " + field + ": " + message);
    }

    /** Every field of {@code node} not in {@code known} is a problem: a misspelt field would otherwise leave its default in force. */
    void unknownFields(JsonNode node, List<String> known, String prefix) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                problem(prefix + name, "unknown field; remove it or use one of " + known.stream().sorted().toList());
            }
        }
    }

    /** A name of letters, digits, '.', '_' or '-', or {@code null} after a problem. */
    String name(JsonNode node, String field) {
        if (node == null || node.isNull() || (node.isValueNode() && node.asText().isBlank())) {
            problem(field, "missing; set it to a name of letters, digits, '.', '_' or '-'");
            return null;
        }
        if (!node.isValueNode() || !NAME.matcher(node.asText()).matches()) {
            problem(field, describe(node) + " is not a valid name; use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
            return null;
        }
        return node.asText();
    }

    /** Required non-blank text, or {@code null} after a problem whose fix is {@code fix}. */
    String text(JsonNode node, String field, String fix) {
        if (node == null || node.isNull() || !node.isValueNode() || node.asText().isBlank()) {
            problem(field, "missing or empty; " + fix);
            return null;
        }
        if (node.isBoolean()) {
            problem(field, "is read as true or false (YAML takes yes, no, on, off, true and false for booleans); put it in quotes");
            return null;
        }
        return node.asText().strip();
    }

    /** Optional non-blank text, or {@code null} when absent or after a problem. */
    String optionalText(JsonNode node, String field, String fix) {
        return node == null ? null : text(node, field, fix);
    }

    /** A duration of at least {@code min}, or {@code defaultValue} when absent or after a problem. */
    Duration duration(JsonNode node, String field, Duration defaultValue, Duration min) {
        if (node == null) {
            return defaultValue;
        }
        OptionalLong millis = node.isValueNode() && !node.isNull() ? Durations.parseMillis(node.asText()) : OptionalLong.empty();
        if (millis.isEmpty()) {
            problem(field, (node.isNull() ? "has no value" : describe(node) + " is not a duration") + "; " + Durations.SYNTAX
                    + ", or remove the line for the default " + Durations.format(defaultValue.toMillis()));
            return defaultValue;
        }
        if (millis.getAsLong() < min.toMillis()) {
            problem(field, describe(node) + " is too short; use at least " + Durations.format(min.toMillis()));
            return defaultValue;
        }
        return Duration.ofMillis(millis.getAsLong());
    }

    /** A whole number in {@code [min, max]}, or {@code defaultValue} when absent or after a problem. */
    int integer(JsonNode node, String field, int defaultValue, int min, int max) {
        if (node == null) {
            return defaultValue;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            problem(field, (node.isNull() ? "has no value" : describe(node) + " is not a whole number from " + min + " to " + max)
                    + "; write one, or remove the line for the default " + defaultValue);
            return defaultValue;
        }
        return node.intValue();
    }

    /** A whole number in {@code [min, max]}, or {@code null} after a problem. */
    Integer requiredInteger(JsonNode node, String field, int min, int max, String example) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            problem(field, (node == null || node.isNull() ? "missing" : describe(node) + " is not a whole number from " + min + " to " + max)
                    + "; set it, e.g. " + example);
            return null;
        }
        return node.intValue();
    }

    boolean flag(JsonNode node, String field, boolean defaultValue) {
        if (node == null) {
            return defaultValue;
        }
        if (!node.isBoolean()) {
            problem(field, (node.isNull() ? "has no value" : describe(node) + " is not true or false")
                    + "; write true or false, or remove the line for the default " + defaultValue);
            return defaultValue;
        }
        return node.booleanValue();
    }

    /** The node as a mapping, or {@code null} (and a problem) when it is something else. */
    JsonNode mapping(JsonNode node, String field, String fix) {
        if (node == null || !node.isObject()) {
            problem(field, (node == null || node.isNull() ? "missing" : describe(node) + " is not a mapping") + "; " + fix);
            return null;
        }
        return node;
    }

    static String describe(JsonNode node) {
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        return "'" + node.asText() + "'";
    }
}
