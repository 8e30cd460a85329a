package io.guestguard.reporter.health;

import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.reporter.durable.Outbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox's age gauge: the oldest unacknowledged fact's age by its own time, 0 once all are acknowledged. */
class ReporterMetricsTest {

    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private final EventCodec codec = new EventCodec();

    @Test
    void theOldestUnacknowledgedFactGivesTheAge(@TempDir Path dir) {
        try (Outbox outbox = Outbox.open(dir, 100, false)) {
            assertThat(ReporterMetrics.oldestAgeSeconds(codec, Optional.of(outbox), T0)).isZero();
            long first = outbox.append(false, seq -> codec.encode(new CloudEvent<>("f" + seq, "/guest/g1/reporter", T0, "g1", seq,
                    null, null, new AppStarted("app1", 42L))));
            outbox.append(false, seq -> codec.encode(new CloudEvent<>("f" + seq, "/guest/g1/reporter", T0.plusSeconds(3), "g1", seq,
                    null, null, new AppStarted("app2", 43L))));

            assertThat(ReporterMetrics.oldestAgeSeconds(codec, Optional.of(outbox), T0.plusSeconds(5))).isEqualTo(5.0);
            outbox.acknowledge(first);
            assertThat(ReporterMetrics.oldestAgeSeconds(codec, Optional.of(outbox), T0.plusSeconds(5))).isEqualTo(2.0);
        }
        assertThat(ReporterMetrics.oldestAgeSeconds(codec, Optional.empty(), T0)).as("before the reporter started").isZero();
    }
}
