package io.guestguard.protocol;

import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;

import java.util.Map;
import java.util.function.Predicate;

/**
 * The schemas' {@code pattern}s as the validator checks them, the five that every event carries (names,
 * ids, the source, the type, free text) checked character by character instead of by a regular
 * expression: those were a third of the schema check, and the schema check half of the gate's cost per
 * record (the placements view restores 100,000 of them before the engine decides anything).
 *
 * <p>The answer is the regular expression's, exactly: the validator asks {@link java.util.regex.Matcher#find()}
 * of an anchored pattern, which for text without a line terminator is the whole-text match the
 * character rules ({@link Names}, {@link Ids}) implement; for text with one the regular expression itself
 * answers. Every pattern's final {@code $} is read as the end of the text, as JSON Schema means it
 * ({@link #asEcma}): Java's {@code $} also matches before a final line terminator, and let a record
 * through whose names ended in one.
 * {@code SchemaPatternsTest} compares the two on every short text over an alphabet of the edge cases, and on
 * long random ones. Any other pattern is the validator's own (the JDK's regular expressions).
 */
final class SchemaPatterns implements RegularExpressionFactory {

    static final SchemaPatterns INSTANCE = new SchemaPatterns();

    /** {@code defs.json#/$defs/source}. */
    static final String SOURCE = "^[!-~]{1,255}$";
    /** {@code cloudevent.json}'s {@code type}. */
    static final String TYPE = "^[a-z0-9.-]{1,128}$";
    /** {@code defs.json#/$defs/text} (its length is a schema keyword of its own). */
    static final String TEXT = "^[^\\u0000-\\u001f\\u007f]*$";

    /** Each covered pattern's rule for text without a line terminator. */
    private static final Map<String, Predicate<String>> RULES = Map.of(
            Names.REGEX, Names::valid,
            Ids.REGEX, Ids::valid,
            SOURCE, text -> within(text, 1, 255, '!', '~'),
            TYPE, SchemaPatterns::isType,
            TEXT, SchemaPatterns::hasNoControl);

    private SchemaPatterns() {
    }

    /** The patterns checked by character rules. */
    static java.util.Set<String> covered() {
        return RULES.keySet();
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        RegularExpression jdk = JDKRegularExpressionFactory.getInstance().getRegularExpression(asEcma(regex));
        Predicate<String> rule = RULES.get(regex);
        if (rule == null) {
            return jdk;
        }
        return text -> hasLineTerminator(text) ? jdk.matches(text) : rule.test(text);
    }

    /**
     * {@code regex} with its final {@code $} read as JSON Schema reads it (ECMA-262: the end of the text),
     * not as Java does (also before a final line terminator, so that {@code "h1\n"} passed a host name's
     * pattern): {@code \z} in its place.
     */
    static String asEcma(String regex) {
        return regex.endsWith("$") && !regex.endsWith("\\$") ? regex.substring(0, regex.length() - 1) + "\\z" : regex;
    }

    /** The characters {@link java.util.regex.Pattern} counts as line terminators (without {@code UNIX_LINES}). */
    static boolean hasLineTerminator(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }

    private static boolean within(String text, int min, int max, char lowest, char highest) {
        if (text.length() < min || text.length() > max) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < lowest || c > highest) {
                return false;
            }
        }
        return true;
    }

    private static boolean isType(String text) {
        if (text.isEmpty() || text.length() > 128) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasNoControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= '\u001f' || c == '\u007f') {
                return false;
            }
        }
        return true;
    }
}
