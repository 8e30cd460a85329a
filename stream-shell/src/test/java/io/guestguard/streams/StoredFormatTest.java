package io.guestguard.streams;

import io.guestguard.protocol.EventCodec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A stored state carries its format first; a reader reads its own format and older ones, and refuses newer ones. */
class StoredFormatTest {

    record Sample(String host, long epoch, List<String> lost) {
    }

    record Nothing() {
    }

    private final EventCodec codec = new EventCodec();
    private final StoredFormat<Sample> format2 = new StoredFormat<>(codec.mapper(), Sample.class, 2);

    @Test
    void aStateIsWrittenWithItsFormatFirstAndReadBack() throws IOException {
        Sample sample = new Sample("h1", 3, List.of("h2"));

        byte[] stored = format2.write(sample);

        assertThat(new String(stored, StandardCharsets.UTF_8)).isEqualTo("{\"format\":2,\"host\":\"h1\",\"epoch\":3,\"lost\":[\"h2\"]}");
        assertThat(format2.read(stored)).isEqualTo(sample);
        assertThat(new String(new StoredFormat<>(codec.mapper(), Nothing.class, 1).write(new Nothing()), StandardCharsets.UTF_8))
                .isEqualTo("{\"format\":1}");
    }

    @Test
    void aStateWithoutFormatOrOfAnOlderOneIsRead() throws IOException {
        assertThat(format2.read(utf8("{\"host\":\"h1\",\"epoch\":3,\"lost\":[]}"))).isEqualTo(new Sample("h1", 3, List.of()));
        assertThat(format2.read(utf8("{\"format\":1,\"host\":\"h1\",\"epoch\":3,\"lost\":[]}"))).isEqualTo(new Sample("h1", 3, List.of()));
    }

    @Test
    void aStateOfANewerFormatIsRefusedNamingBothFormats() {
        assertThatThrownBy(() -> format2.read(utf8("{\"format\":3,\"host\":\"h1\",\"epoch\":3,\"lost\":[],\"detached\":true}")))
                .isInstanceOfSatisfying(StoredFormat.NewerFormatException.class, e -> assertThat(e.found()).isEqualTo(3))
                .hasMessageStartingWith("it is in format 3, newer than format 2, the newest this version reads");
        assertThatThrownBy(() -> format2.read(utf8("{\"host\":\"h1\",\"format\":3}")))
                .as("wherever the field is").isInstanceOf(StoredFormat.NewerFormatException.class);
    }

    @Test
    void aFormatThatIsNoFormatNumberOrAValueThatIsNoObjectIsRefused() {
        for (String bad : List.of("{\"format\":\"2\"}", "{\"format\":0}", "{\"format\":1.5}", "{\"format\":99999999999}",
                "{\"format\":null}", "[1]", "null", "{\"format\":1,\"format\":1}")) {
            assertThatThrownBy(() -> format2.read(utf8(bad))).as(bad).isInstanceOf(IOException.class)
                    .isNotInstanceOf(StoredFormat.NewerFormatException.class);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
