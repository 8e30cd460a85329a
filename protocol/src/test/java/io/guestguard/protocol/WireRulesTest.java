package io.guestguard.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Java rules for names, ids and text are the ones {@code defs.json} documents, and derived ids stay within them. */
class WireRulesTest {

    @Test
    void theJavaPatternsAreTheSchemaPatterns() throws IOException {
        JsonNode defs = defs().get("$defs");

        assertThat(defs.get("name").get("pattern").asText()).isEqualTo(Names.REGEX);
        assertThat(defs.get("id").get("pattern").asText()).isEqualTo(Ids.REGEX);
        assertThat(defs.get("text").get("maxLength").asInt()).isEqualTo(FreeText.MAX_LENGTH);
        assertThat(defs.get("count").get("maximum").asLong()).isEqualTo(CloudEvent.MAX_NUMBER);
    }

    @Test
    void aDerivedIdKeepsItsCauseWhileItFits() {
        assertThat(Ids.derive("decision-", "f1", "-2")).isEqualTo("decision-f1-2");
    }

    @Test
    void aDerivedIdOfALongCauseIsShortenedTheSameWayEveryTime() {
        String cause = "c".repeat(Ids.MAX_LENGTH);

        String id = Ids.derive("placement-", cause, "");

        assertThat(id).startsWith("placement-h").hasSize("placement-".length() + 40);
        assertThat(Ids.valid(id)).isTrue();
        assertThat(Ids.derive("placement-", cause, "")).isEqualTo(id);
        assertThat(Ids.derive("placement-", "d" + cause.substring(1), "")).isNotEqualTo(id);
    }

    @Test
    void anEventBreakingTheRulesCannotBeBuiltSoNothingInvalidIsWritten() {
        assertThatThrownBy(() -> CloudEvent.ofGuest("a/b", "/x", Instant.EPOCH, "g1", new HostLost("h1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/b");
        assertThatThrownBy(() -> CloudEvent.ofGuest("f1", "/x", Instant.EPOCH, "../g1", new HostLost("h1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("guest id");
        assertThatThrownBy(() -> CloudEvent.ofGuest("f1", "/x y", Instant.EPOCH, "g1", new HostLost("h1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source");
        assertThatThrownBy(() -> CloudEvent.ofGuest("f1", "/x", Instant.EPOCH, "g1", new HostLost("h1")).withGuestSeq(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("guestseq");
    }

    @Test
    void namesAreNeverPathsOptionsOrLines() {
        assertThat(Names.valid("host-1.rack2_a")).isTrue();
        assertThat(Names.valid("a".repeat(Names.MAX_LENGTH))).isTrue();
        assertThat(Names.valid("a".repeat(Names.MAX_LENGTH + 1))).isFalse();
        for (String bad : new String[] {"..", "a/b", "-x", ".x", "a..b", "a\nb", "a b", "", "ä"}) {
            assertThat(Names.valid(bad)).as(bad).isFalse();
        }
    }

    @Test
    void namesAndIdsAreCheckedExactlyAsTheirPatternsSay() {
        java.util.regex.Pattern name = java.util.regex.Pattern.compile(Names.REGEX);
        java.util.regex.Pattern id = java.util.regex.Pattern.compile(Ids.REGEX);
        String alphabet = "aZ09._-:@=+/ \n\u00e4\u0000";
        java.util.Random random = new java.util.Random(18);
        java.util.List<String> texts = new java.util.ArrayList<>(java.util.List.of("", ".", "..", "a..", "a.b.c", "a\n",
                "a".repeat(Names.MAX_LENGTH), "a".repeat(Names.MAX_LENGTH + 1), "a".repeat(Ids.MAX_LENGTH),
                "a".repeat(Ids.MAX_LENGTH + 1), "decision-f1-2", "g1:x@y=z+w"));
        for (int i = 0; i < 200_000; i++) {
            int length = random.nextInt(8) == 0 ? random.nextInt(Ids.MAX_LENGTH + 3) : random.nextInt(7);
            StringBuilder text = new StringBuilder();
            for (int c = 0; c < length; c++) {
                text.append(alphabet.charAt(random.nextInt(random.nextInt(4) == 0 ? alphabet.length() : 7)));
            }
            texts.add(text.toString());
        }
        for (String text : texts) {
            assertThat(Names.valid(text)).as(text).isEqualTo(name.matcher(text).matches());
            assertThat(Ids.valid(text)).as(text).isEqualTo(id.matcher(text).matches());
        }
        assertThat(Names.valid(null)).isFalse();
        assertThat(Ids.valid(null)).isFalse();
    }

    private static JsonNode defs() throws IOException {
        try (InputStream in = WireRulesTest.class.getResourceAsStream("/schemas/defs.json")) {
            return new ObjectMapper().readTree(in);
        }
    }
}
