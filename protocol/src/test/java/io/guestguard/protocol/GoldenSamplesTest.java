package io.guestguard.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every event type has a checked-in golden sample that passes its schema and survives a round trip unchanged. */
class GoldenSamplesTest {

    private final EventCodec codec = new EventCodec();
    private final ObjectMapper mapper = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(EventType.class)
    void goldenSampleValidatesAndRoundTrips(EventType type) throws IOException {
        byte[] golden = golden(type);

        CloudEvent<?> event = codec.decode(golden);

        assertThat(event.type()).isEqualTo(type.type());
        assertThat(event.data()).isInstanceOf(type.payloadClass());
        JsonNode original = mapper.readTree(golden);
        JsonNode reencoded = mapper.readTree(codec.encode(event));
        assertThat(reencoded).isEqualTo(original);
        assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyTypeHasASchemaResource(EventType type) {
        assertThat(EventType.class.getResource(type.schemaResource())).as(type.schemaResource()).isNotNull();
        assertThat(EventType.fromType(type.type())).contains(type);
    }

    /**
     * An operator's request about one application (STOP_APP, START_APP) names it; the type's main
     * sample, a MOVE written before application requests existed, still decodes without it.
     */
    @Test
    void applicationRequestGoldenSampleValidatesAndRoundTrips() throws IOException {
        byte[] golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/variants/io.guestguard.operator.request.v1.stop-app.json")) {
            assertThat(in).isNotNull();
            golden = in.readAllBytes();
        }

        CloudEvent<?> event = codec.decode(golden);

        assertThat(event.data()).isEqualTo(OperatorRequest.ofApp(OperatorRequest.Action.STOP_APP, "app1", "alice"));
        assertThat(mapper.readTree(codec.encode(event))).isEqualTo(mapper.readTree(golden));
        assertThat(codec.decode(golden(EventType.OPERATOR_REQUEST)).data())
                .isEqualTo(new OperatorRequest(OperatorRequest.Action.MOVE, "h2", "alice"));
    }

    /**
     * A request the console makes for its signed-in user names that user ({@code onBehalfOf}) beside
     * the console's operator name; requests recorded before the field existed decode with none.
     */
    @Test
    void requestOnBehalfOfAUserGoldenSampleValidatesAndRoundTrips() throws IOException {
        byte[] golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/variants/io.guestguard.operator.request.v1.on-behalf-of.json")) {
            assertThat(in).isNotNull();
            golden = in.readAllBytes();
        }

        CloudEvent<?> event = codec.decode(golden);

        OperatorRequest request = (OperatorRequest) event.data();
        assertThat(request).isEqualTo(OperatorRequest.ofApp(OperatorRequest.Action.STOP_APP, "app2", "console").onBehalfOf("alice"));
        assertThat(request.who()).isEqualTo("alice via console");
        assertThat(mapper.readTree(codec.encode(event))).isEqualTo(mapper.readTree(golden));
        OperatorRequest older = (OperatorRequest) codec.decode(golden(EventType.OPERATOR_REQUEST)).data();
        assertThat(older.onBehalfOf()).isNull();
        assertThat(older.who()).isEqualTo("alice");
    }

    static byte[] golden(EventType type) throws IOException {
        try (InputStream in = GoldenSamplesTest.class.getResourceAsStream("/golden/" + type.type() + ".json")) {
            assertThat(in).as("golden sample for " + type.type()).isNotNull();
            return in.readAllBytes();
        }
    }
}
