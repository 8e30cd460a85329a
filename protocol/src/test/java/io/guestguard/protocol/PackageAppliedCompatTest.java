package io.guestguard.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Packages once carried each application's {@code kind} and {@code command}, which the guest file
 * holds; records (and stored states) written then still read, to the same package, and are written
 * back without them.
 */
class PackageAppliedCompatTest {

    private final EventCodec codec = new EventCodec();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aPackageWithKindAndCommandReadsAsTheSamePackageWithout() throws IOException {
        byte[] golden = GoldenSamplesTest.golden(EventType.PACKAGE_APPLIED);
        JsonNode old = mapper.readTree(golden);
        for (JsonNode app : old.path("data").path("spec").path("applications")) {
            ((ObjectNode) app).put("kind", "exec").put("command", "/opt/app/bin/app --config /etc/app.conf");
        }

        CloudEvent<?> read = codec.decode(mapper.writeValueAsBytes(old));

        assertThat(read).isEqualTo(codec.decode(golden));
        assertThat(mapper.readTree(codec.encode(read))).isEqualTo(mapper.readTree(golden));
    }
}
