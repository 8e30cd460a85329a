package io.guestguard.protocol.kafka;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.RejectedRecordException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloudEventSerdeTest {

    private final CloudEventSerde serde = new CloudEventSerde();

    @Test
    void roundTripsAnEvent() {
        CloudEvent<AppFailed> event = new CloudEvent<>("f1", "/guest/g1/reporter", Instant.parse("2026-11-26T12:00:00.5Z"),
                "g1", 7L, "h1", 2L, AppFailed.exited("app1", 42, 1));

        byte[] bytes = serde.serializer().serialize("t", event);

        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(event);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"guestseq\":7", "\"hostid\":\"h1\"", "\"epoch\":2");
    }

    @Test
    void aRejectedRecordCarriesItsReason() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("guest-log", "[]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("record on guest-log rejected: not a GuestGuard CloudEvent")
                .hasCauseInstanceOf(RejectedRecordException.class);
    }
}
