package io.guestguard.deploy.fleet;

import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.RefusalReason;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.OperatorRequest;
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
        assertThat(format.line(CloudEvent.ofGuest("6", "/s", T, "g1", new Decision(Decision.Action.NONE, null, null, null, null,
                "h1", null, 1L, new Decision.Reason("HOST_DETACHED_BY_OPERATOR", "operator ops detaches host h1"), List.of("1"),
                List.of(), null))))
                .isEqualTo("12:00:01.234  g1  -> operator ops detaches host h1");
    }

    @Test
    void aHostThatLeavesAndComesBackReadsAsADetach() {
        assertThat(format.leaving("primary", T, java.time.Duration.ofMinutes(10)))
                .isEqualTo("12:00:01.234  host primary leaving (detached up to 10 min)");
        assertThat(format.back("primary", T)).isEqualTo("12:00:01.234  host primary beats again (attached; its guests were left running)");
    }

    @Test
    void aWritersClockFarOffShowsNextToTheDecisionTime() {
        Instant twoHoursBehind = T.minus(java.time.Duration.ofHours(2)).minusMillis(134);
        Decision restart = new Decision(Decision.Action.RESTART_APP, "app1", 1, 2, 0L, "h1", null, null,
                new Decision.Reason("APP_FAILED_WITHIN_LIMIT", "x"), List.of("1"), List.of("c"), null, twoHoursBehind);

        assertThat(format.line(CloudEvent.ofGuest("4", "/s", T, "g1", restart)))
                .isEqualTo("12:00:01.234  g1/app1  -> restart 1/2  [fact stamped 10:00:01.100, 2 h 0 min behind]");
        assertThat(format.line(CloudEvent.ofGuest("1", "/s", T.plusSeconds(90), "g1", AppFailed.killed("app1", 42, "KILL")), T))
                .as("a fact at its record's time").isEqualTo("12:00:01.234  g1/app1  failed (SIGKILL, pid 42)  [fact stamped 12:01:31.234, 1 min 30 s ahead]");
        Decision close = new Decision(Decision.Action.RESTART_APP, "app1", 1, 2, 0L, "h1", null, null,
                new Decision.Reason("APP_FAILED_WITHIN_LIMIT", "x"), List.of("1"), List.of("c"), null, T.minusSeconds(5));
        assertThat(format.line(CloudEvent.ofGuest("4", "/s", T, "g1", close))).as("5 s off or less: nothing shown")
                .isEqualTo("12:00:01.234  g1/app1  -> restart 1/2");
    }

    @Test
    void aMigrationNamesTheGuestAndBothHosts() {
        Decision migrate = new Decision(Decision.Action.MIGRATE, null, null, null, null, "h1", "h2", 1L,
                new Decision.Reason("OPERATOR_MIGRATE", "operator alice live-migrates g1 from h1 to h2 (epoch 1)"),
                List.of("1"), List.of("migrate-1"), null);

        assertThat(format.line(CloudEvent.ofGuest("6", "/s", T, "g1", migrate)))
                .isEqualTo("12:00:01.234  g1  -> migrate g1 h1 -> h2");
    }

    @Test
    void anOperatorsApplicationStopShowsAsTheRequestAndItsDecision() {
        Decision stop = new Decision(Decision.Action.STOP_APP, "app1", null, null, null, "h1", null, 1L,
                new Decision.Reason("OPERATOR_STOP_APP", "operator alice stops app1 in g1 on h1"), List.of("8"),
                List.of("stop-app-8"), null);
        Decision refused = new Decision(Decision.Action.ALERT, "app9", null, null, null, "h1", null, null,
                new Decision.Reason("APP_REQUEST_NOT_IN_PACKAGE", "operator alice asked to stop app9 in g1, but its package names no application app9: nothing is sent"),
                List.of("9"), List.of(), null);

        assertThat(format.line(CloudEvent.ofGuest("8", "/operator/alice", T, "g1",
                OperatorRequest.ofApp(OperatorRequest.Action.STOP_APP, "app1", "alice"))))
                .isEqualTo("12:00:01.234  g1/app1  operator alice asks stop app app1");
        assertThat(format.line(CloudEvent.ofGuest("d8", "/s", T, "g1", stop)))
                .isEqualTo("12:00:01.234  g1/app1  -> stop on h1 (epoch 1), as the operator asks");
        assertThat(format.line(CloudEvent.ofGuest("d9", "/s", T, "g1", refused)))
                .isEqualTo("12:00:01.234  g1/app9  -> ALERT: operator alice asked to stop app9 in g1, but its package names no application app9: nothing is sent");
        assertThat(format.line(CloudEvent.ofGuest("d10", "/s", T, "g1", new Decision(Decision.Action.START_APP, "app1", null,
                null, null, "h1", null, 1L, new Decision.Reason("OPERATOR_START_APP", "x"), List.of("10"), List.of("start-app-10"), null))))
                .isEqualTo("12:00:01.234  g1/app1  -> start on h1 (epoch 1), as the operator asks");
    }

    @Test
    void aRefusedCommandStandsOutWithItsHostEpochAndReason() {
        CommandRefused refused = new CommandRefused("h2", "start-f7", CommandKind.START_GUEST, RefusalReason.RUNS_ELSEWHERE,
                "g1 still runs on h1");

        assertThat(format.line(new CloudEvent<>("7", "/host/h2", T, "g1", null, "h2", 3L, refused)))
                .isEqualTo("12:00:01.234  g1  REFUSED by h2: start-guest start-f7 (epoch 3): g1 still runs on h1");
        assertThat(format.line(new CloudEvent<>("8", "/host/h2", T, "g1", null, "h2", null,
                new CommandRefused("h2", "fence-f9", CommandKind.FENCE_HOST, RefusalReason.FENCE_NOT_CONFIRMED,
                        "fence hook exit 1"))))
                .isEqualTo("12:00:01.234  g1  REFUSED by h2: fence-host fence-f9: fence hook exit 1");
    }
}
