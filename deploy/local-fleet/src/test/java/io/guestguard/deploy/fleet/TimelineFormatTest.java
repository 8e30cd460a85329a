package io.guestguard.deploy.fleet;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TimelineFormatTest {

    private static final Instant T = Instant.parse("2026-11-26T12:00:01.234Z");
    private final TimelineFormat format = new TimelineFormat(ZoneOffset.UTC);

    @Test
    void factsAndDecisionsReadAsSentences() {
        assertThat(format.line(CloudEvent.ofGuest("1", "/s", T, "g1", AppFailed.killed("app1", 42, "KILL"))))
                .isEqualTo("12:00:01.234  g1/app1  failed (SIGKILL, pid 42)");
        assertThat(format.line(CloudEvent.ofGuest("2", "/s", T, "g1", AppFailed.exited("app1", 42, 3))))
                .isEqualTo("12:00:01.234  g1/app1  failed (exit 3, pid 42)");
        assertThat(format.line(CloudEvent.ofGuest("3", "/s", T, "g1", new AppStarted("app2", 43L))))
                .isEqualTo("12:00:01.234  g1/app2  started (pid 43)");
        assertThat(format.line(CloudEvent.ofGuest("4", "/s", T, "g1", new Decision(Decision.Action.RESTART_APP, "app1", 1, 3, 0L,
                "h1", null, null, new Decision.Reason("APP_FAILED_WITHIN_LIMIT", "x"), List.of("1"), List.of("c"), null))))
                .isEqualTo("12:00:01.234  g1/app1  -> restart 1/3");
        assertThat(format.line(CloudEvent.ofGuest("5", "/s", T, "g1", new Decision(Decision.Action.NONE, "app1", 4, 3, null,
                null, null, null, new Decision.Reason("RESTART_LIMIT_EXCEEDED", "limit used up"), List.of("1"), List.of(), null))))
                .isEqualTo("12:00:01.234  g1/app1  -> no restart: limit used up");
    }
}
