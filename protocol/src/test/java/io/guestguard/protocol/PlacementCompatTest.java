package io.guestguard.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The placement's fields added for {@code guestguard status} (issue 17) are optional both ways: a
 * placement written by the previous release (the type's main golden sample) reads with them empty and
 * is written back to the same bytes, and a placement with all of them (a variant) validates and
 * round-trips.
 */
class PlacementCompatTest {

    private final EventCodec codec = new EventCodec();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aPlacementOfThePreviousReleaseReadsWithNothingToSayAndIsWrittenBackUnchanged() throws IOException {
        byte[] previous = GoldenSamplesTest.golden(EventType.PLACEMENT);

        GuestPlacement read = (GuestPlacement) codec.decode(previous).data();

        assertThat(read).isEqualTo(new GuestPlacement("h1", 3, PlacementPhase.RUNNING, Map.of("app1", 2, "app2", 0)));
        assertThat(read.motive()).isNull();
        assertThat(read.switchingDisabled()).isFalse();
        assertThat(read.migration()).isNull();
        assertThat(read.detachedHosts()).isEmpty();
        assertThat(read.app("app1")).isEqualTo(GuestPlacement.AppFailures.NONE);
        assertThat(mapper.readTree(codec.encode(codec.decode(previous)))).isEqualTo(mapper.readTree(previous));
        assertThat(mapper.readTree(codec.encode(codec.decode(previous))).path("data").fieldNames())
                .toIterable().containsExactly("host", "epoch", "phase", "failures");
    }

    @Test
    void aPlacementWithEveryAddedFieldValidatesAndRoundTrips() throws IOException {
        byte[] detailed;
        try (InputStream in = getClass().getResourceAsStream("/golden/variants/io.guestguard.placement.v1.detailed.json")) {
            assertThat(in).isNotNull();
            detailed = in.readAllBytes();
        }

        GuestPlacement read = (GuestPlacement) codec.decode(detailed).data();

        assertThat(read.switchingDisabled()).isTrue();
        assertThat(read.packageMaintenance()).isTrue();
        assertThat(read.motive()).isEqualTo("APP_FAILOVER");
        assertThat(read.migration()).isEqualTo(new GuestPlacement.Migration("h1", "h2", 1795608001000L));
        assertThat(read.lostHosts()).containsExactly("h3");
        assertThat(read.hostsInMaintenance()).containsExactly("h2");
        assertThat(read.detachedHosts()).containsExactly("h4");
        assertThat(read.app("app1").failureTimesMs()).containsExactly(1795607990000L, 1795608000000L);
        assertThat(read.app("app1").lastFailure()).isEqualTo(
                new GuestPlacement.LastFailure(1795608000000L, 4242L, null, "KILL", null, null, 1795608002000L));
        assertThat(read.app("app1").lastFailure().cause()).isEqualTo("SIGKILL");
        assertThat(read.app("app2").lastFailure().noticedBy()).isEqualTo("monitor");
        assertThat(mapper.readTree(codec.encode(codec.decode(detailed)))).isEqualTo(mapper.readTree(detailed));
    }

    @Test
    void aPlacementWithAnUnknownMotiveIsRefused() throws IOException {
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(GoldenSamplesTest.golden(EventType.PLACEMENT));
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("data")).put("motive", "WHIM");

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> codec.decode(mapper.writeValueAsBytes(tree))))
                .isInstanceOf(RejectedRecordException.class);
    }
}
