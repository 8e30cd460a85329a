package io.guestguard.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.regex.RegularExpression;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema patterns checked character by character answer as the validator's regular expressions do
 * ({@link java.util.regex.Matcher#find()}, their final {@code $} the end of the text as JSON Schema means
 * it), so the gate accepts and refuses what the schemas say.
 */
class SchemaPatternsTest {

    /** Letters, digits, every character the rules name, line terminators, controls, non-ASCII and a surrogate pair. */
    private static final String ALPHABET = "aZ09._-:@=+/!~ \n\r\u0085\u2028\u2029\u0000\u001f\u007f\u00e4\ud83d\ude00";

    @Test
    void eachCoveredPatternIsInTheSchemas() throws IOException {
        Set<String> patterns = new HashSet<>();
        for (String schema : List.of("/schemas/defs.json", "/schemas/cloudevent.json")) {
            try (InputStream in = SchemaPatternsTest.class.getResourceAsStream(schema)) {
                new ObjectMapper().readTree(in).findValues("pattern").stream().map(JsonNode::asText).forEach(patterns::add);
            }
        }

        assertThat(patterns).containsAll(SchemaPatterns.covered());
    }

    @Test
    void everyShortTextIsAnsweredAsTheRegularExpressionAnswersIt() {
        List<String> texts = new ArrayList<>(List.of(""));
        for (int length = 1; length <= 3; length++) {
            List<String> longer = new ArrayList<>();
            for (String text : texts) {
                if (text.length() == length - 1) {
                    for (int c = 0; c < ALPHABET.length(); c++) {
                        longer.add(text + ALPHABET.charAt(c));
                    }
                }
            }
            texts.addAll(longer);
        }
        texts.addAll(List.of("a..", "a.b.c", "a\r\n", "a\n\n", "\n", "a..\n", "io.guestguard.placement.v1", "/policy-engine",
                "decision-f1-2", "g1:x@y=z+w", "host lost \u2028"));

        assertSameAnswers(texts);
    }

    @Test
    void longAndRandomTextsAreAnsweredAsTheRegularExpressionAnswersThem() {
        List<String> texts = new ArrayList<>();
        for (int length : new int[] {126, 127, 128, 129, 254, 255, 256, 2048}) {
            texts.add("a".repeat(length));
            texts.add("a".repeat(length) + "\n");
            texts.add("a".repeat(length - 1) + "\n");
            texts.add("/".repeat(length));
        }
        Random random = new Random(18);
        for (int i = 0; i < 100_000; i++) {
            int length = random.nextInt(8) == 0 ? random.nextInt(300) : random.nextInt(8);
            StringBuilder text = new StringBuilder();
            for (int c = 0; c < length; c++) {
                // Mostly characters the rules allow, so that long texts are not all refused at once.
                text.append(ALPHABET.charAt(random.nextInt(random.nextInt(4) == 0 ? ALPHABET.length() : 7)));
            }
            texts.add(text.toString());
        }

        assertSameAnswers(texts);
    }

    @Test
    void aFinalLineTerminatorIsNotTheEndOfTheText() {
        for (String regex : List.of(Names.REGEX, "^[0-9a-f]{32}$")) {
            RegularExpression checked = SchemaPatterns.INSTANCE.getRegularExpression(regex);
            String valid = regex.equals(Names.REGEX) ? "h1" : "0123456789abcdef0123456789abcdef";
            assertThat(checked.matches(valid)).isTrue();
            for (String end : List.of("\n", "\r\n", "\u0085", "\u2028")) {
                assertThat(checked.matches(valid + end)).as("%s against %s", escaped(valid + end), regex).isFalse();
            }
        }
        assertThat(SchemaPatterns.asEcma("^a\\$")).as("an escaped dollar is a dollar").isEqualTo("^a\\$");
    }

    @Test
    void aHostNameEndingInANewlineIsRefusedByTheGate() {
        EventCodec codec = new EventCodec();
        String json = new String(codec.encode(CloudEvent.ofGuest("f1", "/x", java.time.Instant.parse("2026-12-07T05:00:00Z"), "g1",
                new HostLost("h1"))), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"host\":\"h1\"");
        byte[] forged = json.replace("\"host\":\"h1\"", "\"host\":\"h1\\n\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThat(codec.decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)).data()).isEqualTo(new HostLost("h1"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> codec.decode(forged))
                .isInstanceOf(RejectedRecordException.class);
    }

    @Test
    void anotherPatternIsTheValidatorsOwn() {
        RegularExpression keyId = SchemaPatterns.INSTANCE.getRegularExpression("^[0-9a-f]{32}$");

        assertThat(keyId.matches("0123456789abcdef0123456789abcdef")).isTrue();
        assertThat(keyId.matches("0123456789abcdef0123456789abcdeF")).isFalse();
    }

    private static void assertSameAnswers(List<String> texts) {
        assertThat(SchemaPatterns.covered()).hasSize(5);
        for (String regex : SchemaPatterns.covered()) {
            Pattern pattern = Pattern.compile(SchemaPatterns.asEcma(regex));
            RegularExpression checked = SchemaPatterns.INSTANCE.getRegularExpression(regex);
            for (String text : texts) {
                assertThat(checked.matches(text)).as("%s against %s", escaped(text), regex)
                        .isEqualTo(pattern.matcher(text).find());
            }
        }
    }

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\u%04x", c)));
        return out.append('"').toString();
    }
}
