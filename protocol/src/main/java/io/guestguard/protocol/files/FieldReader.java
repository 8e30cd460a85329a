package io.guestguard.protocol.files;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.Durations;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Reads typed values out of one operator file (a package, a guest file) parsed as YAML, and collects
 * every problem, each as {@code FILE: FIELD: what is wrong; the fix}, so an operator sees them all at
 * once. A value that has a problem reads as its default (or {@code null}), so reading can go on.
 * Unknown fields are problems too, since a misspelt optional field would otherwise leave its default
 * silently in force; the problem says what was probably meant.
 */
public final class FieldReader {

    /** Guest, host and application names in operator files: what the guest reporter accepts. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    public static final String NAME_RULE = "1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";
    /** YAML 1.1 reads these as booleans, so the text the operator wrote is gone: say so rather than echo 'true'. */
    public static final String YAML_BOOLEAN = "is read as true or false (YAML takes yes, no, on, off, true and false for booleans)";

    private final Path file;
    private final BiFunction<String, List<String>, String> hints;
    private final List<String> problems = new ArrayList<>();

    /** A reader whose unknown-field problems suggest a close known field. */
    public FieldReader(Path file) {
        this(file, (name, known) -> null);
    }

    /**
     * @param hints what the file's kind knows of a field {@code name} unknown among {@code known} (e.g.
     *     another product's name for it), or {@code null}; asked before the spelling is compared
     */
    public FieldReader(Path file, BiFunction<String, List<String>, String> hints) {
        this.file = file;
        this.hints = hints;
    }

    public Path file() {
        return file;
    }

    public List<String> problems() {
        return problems;
    }

    public int problemCount() {
        return problems.size();
    }

    public void problem(String field, String message) {
        problems.add(file + ": " + field + ": " + message);
    }

    /** Every field of {@code node} not in {@code known} is a problem, with what was probably meant. */
    public void unknownFields(JsonNode node, List<String> known, String prefix) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (known.contains(name)) {
                continue;
            }
            String knownList = String.join(", ", known);
            String hint = hint(name, known);
            if (hint != null) {
                problem(prefix + name, "unknown field; " + hint + " Known fields here: " + knownList);
            } else {
                problem(prefix + name, "unknown field; remove it, or use one of " + knownList);
            }
        }
    }

    /** A name ({@link #NAME}), or {@code null} after a problem; {@code what} says what it names, e.g. "the guest id". */
    public String name(JsonNode node, String field, String what) {
        if (node == null || node.isNull() || (node.isValueNode() && node.asText().isBlank())) {
            problem(field, "missing; set it to " + what + ": " + NAME_RULE);
            return null;
        }
        if (node.isBoolean()) {
            problem(field, YAML_BOOLEAN + "; put the name in quotes");
            return null;
        }
        if (!node.isValueNode() || !NAME.matcher(node.asText()).matches()) {
            problem(field, describe(node) + " is not a valid name; use " + NAME_RULE);
            return null;
        }
        return node.asText();
    }

    /** Required non-blank text, or {@code null} after a problem whose fix is {@code fix}. */
    public String text(JsonNode node, String field, String fix) {
        if (node == null || node.isNull() || !node.isValueNode() || node.asText().isBlank()) {
            problem(field, "missing or empty; " + fix);
            return null;
        }
        if (node.isBoolean()) {
            problem(field, YAML_BOOLEAN + "; put it in quotes");
            return null;
        }
        return node.asText().strip();
    }

    /** Optional non-blank text, or {@code null} when absent or after a problem. */
    public String optionalText(JsonNode node, String field, String fix) {
        return node == null ? null : text(node, field, fix);
    }

    /** A duration of at least {@code min}, or {@code defaultValue} when absent or after a problem. */
    public Duration duration(JsonNode node, String field, Duration defaultValue, Duration min) {
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
    public int integer(JsonNode node, String field, int defaultValue, int min, int max) {
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
    public Integer requiredInteger(JsonNode node, String field, int min, int max, String example) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            problem(field, (node == null || node.isNull() ? "missing" : describe(node) + " is not a whole number from " + min + " to " + max)
                    + "; set it, e.g. " + example);
            return null;
        }
        return node.intValue();
    }

    /** {@code true} or {@code false}, or {@code defaultValue} when absent or after a problem. */
    public boolean flag(JsonNode node, String field, boolean defaultValue) {
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

    /** One of {@code type}'s constants written in lower case, or {@code defaultValue} when absent or after a problem. */
    public <E extends Enum<E>> E choice(JsonNode node, String field, String what, Class<E> type, E defaultValue) {
        List<String> options = Arrays.stream(type.getEnumConstants()).map(FieldReader::lower).toList();
        String fix = "use " + String.join(" or ", options);
        if (node == null) {
            return defaultValue;
        }
        if (node.isNull()) {
            problem(field, "has no value; " + fix + ", or remove the line for the default " + lower(defaultValue));
            return defaultValue;
        }
        for (E value : type.getEnumConstants()) {
            if (node.isTextual() && lower(value).equals(node.asText())) {
                return value;
            }
        }
        problem(field, describe(node) + " is not a " + what + "; " + fix);
        return defaultValue;
    }

    /** The node as a mapping, or {@code null} (and a problem) when it is something else. */
    public JsonNode mapping(JsonNode node, String field, String fix) {
        if (node == null || !node.isObject()) {
            problem(field, (node == null || node.isNull() ? "missing" : describe(node) + " is not a mapping") + "; " + fix);
            return null;
        }
        return node;
    }

    /** How a value reads in a problem: {@code 'text'}, {@code a list} or {@code a mapping}. */
    public static String describe(JsonNode node) {
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        return "'" + node.asText() + "'";
    }

    /**
     * What the operator probably meant, or {@code null}: the file kind's own hint, a misspelling, or a
     * part of a field's name ({@code restarts} for {@code service_restart}).
     */
    private String hint(String name, List<String> known) {
        String own = hints.apply(name, known);
        if (own != null) {
            return own;
        }
        String singular = name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
        return known.stream()
                .filter(k -> distance(name, k) <= 2
                        || Arrays.asList(k.split("_")).contains(singular)
                        || (Math.min(name.length(), k.length()) >= 4 && (k.contains(name) || name.contains(k))))
                .min(Comparator.comparingInt(k -> distance(name, k)))
                .map(k -> "did you mean " + k + "?")
                .orElse(null);
    }

    /** Levenshtein distance, ignoring case: small enough for field names. */
    private static int distance(String a, String b) {
        String x = a.toLowerCase(Locale.ROOT);
        String y = b.toLowerCase(Locale.ROOT);
        int[] previous = new int[y.length() + 1];
        int[] current = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int substitution = previous[j - 1] + (x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[y.length()];
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
