package io.guestguard.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CloudEvents distributed-tracing extension on the wire: W3C traceparent read strictly, written back unchanged. */
class TraceparentTest {

    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private final EventCodec codec = new EventCodec();

    @Test
    void aTracedEventRoundTrips() {
        CloudEvent<AppFailed> traced = appFailed().withTraceparent(Traceparent.parse(VALID));

        byte[] bytes = codec.encode(traced);

        assertThat(codec.read(bytes).json().get("traceparent").asText()).isEqualTo(VALID);
        assertThat(codec.decode(bytes)).isEqualTo(traced);
        assertThat(codec.decode(bytes).traceparent().toString()).isEqualTo(VALID);
    }

    @Test
    void anEventWithoutATraceStillReadsAndWritesNone() {
        byte[] bytes = codec.encode(appFailed());

        assertThat(codec.read(bytes).json().has("traceparent")).isFalse();
        assertThat(codec.decode(bytes).traceparent()).isNull();
        assertThat(codec.decode(bytes)).isEqualTo(appFailed());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 | has version '01', not 00",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 | has version 'ff', not 00",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01 | trace-id '4BF92F3577B34DA6A3CE929D0E0E4736' is not 32 lowercase hex digits",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01 | trace-id is all zeros",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01 | parent-id is all zeros",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01 | trace-id '4bf92f3577b34da6a3ce929d0e0e473g' is not 32",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x | flags '0x' is not 2 lowercase hex digits",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra | is not 00-<32 hex trace-id>",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01 | is not 00-<32 hex trace-id>",
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01 | is not 00-<32 hex trace-id>",
    })
    void aMalformedTraceparentIsRejectedWithItsReason(String traceparent, String reason) {
        ObjectNode json = codec.toJson(appFailed());
        json.put("traceparent", traceparent);

        assertThatThrownBy(() -> codec.decode(bytes(json)))
                .isInstanceOf(RejectedRecordException.class)
                .hasMessageStartingWith("traceparent '")
                .hasMessageContaining(reason);
    }

    @Test
    void aTraceparentThatIsNotAStringIsRejected() {
        ObjectNode json = codec.toJson(appFailed());
        json.put("traceparent", 42);

        assertThatThrownBy(() -> codec.decode(bytes(json))).isInstanceOf(RejectedRecordException.class)
                .hasMessage("traceparent is not a string");
    }

    @Test
    void theSchemaAloneRefusesWhatTheCodecRefuses() {
        // For readers in other languages, which have the schema and not this codec.
        com.networknt.schema.JsonSchema schema = com.networknt.schema.JsonSchemaFactory
                .getInstance(com.networknt.schema.SpecVersion.VersionFlag.V202012, b -> b.schemaMappers(
                        m -> m.mapPrefix("https://guestguard.io/schemas/", "classpath:schemas/")))
                .getSchema(getClass().getResourceAsStream("/schemas/cloudevent.json"));
        ObjectNode json = codec.toJson(appFailed());
        json.put("traceparent", VALID);
        assertThat(schema.validate(json)).isEmpty();
        for (String bad : new String[]{"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", VALID.toUpperCase(), "01" + VALID.substring(2)}) {
            json.put("traceparent", bad);
            assertThat(schema.validate(json)).as(bad).isNotEmpty();
        }
    }

    @Test
    void aStartedTraceIsSampledAndRandomAChildKeepsTheTraceADerivedSpanIsTheSameEachTime() {
        Traceparent started = Traceparent.start();
        Traceparent other = Traceparent.start();
        assertThat(started.sampled()).isTrue();
        assertThat(started.flags()).isEqualTo("01");
        assertThat(started.traceId()).isNotEqualTo(other.traceId());
        assertThat(Traceparent.parse(started.toString())).isEqualTo(started);

        Traceparent child = started.child();
        assertThat(child.traceId()).isEqualTo(started.traceId());
        assertThat(child.parentId()).isNotEqualTo(started.parentId());

        Traceparent derived = started.derived("restart-e1");
        assertThat(derived.traceId()).isEqualTo(started.traceId());
        assertThat(derived).isEqualTo(started.derived("restart-e1"));
        assertThat(derived.parentId()).isNotEqualTo(started.derived("decision-e1").parentId());

        assertThat(Traceparent.of("e1")).isEqualTo(Traceparent.of("e1"));
        assertThat(Traceparent.of("e1").traceId()).isNotEqualTo(Traceparent.of("e2").traceId());
        assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").sampled()).isFalse();
    }

    private static CloudEvent<AppFailed> appFailed() {
        return new CloudEvent<>("e1", "/guest/g1/reporter", Instant.parse("2026-12-06T10:00:00Z"), "g1", 3L, null, null,
                new AppFailed("app1", 42L, null, "KILL", null, null));
    }

    private byte[] bytes(ObjectNode json) {
        try {
            return codec.mapper().writeValueAsBytes(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
