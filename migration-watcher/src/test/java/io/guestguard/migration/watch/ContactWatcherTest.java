package io.guestguard.migration.watch;

import io.guestguard.migration.watch.ContactWatcher.ContactVerified;
import io.guestguard.migration.watch.ContactWatcher.Escalate;
import io.guestguard.migration.watch.ContactWatcher.Escalated;
import io.guestguard.migration.watch.ContactWatcher.GapDetected;
import io.guestguard.migration.watch.ContactWatcher.GapHealed;
import io.guestguard.migration.watch.ContactWatcher.MigrationSeen;
import io.guestguard.migration.watch.ContactWatcher.SendRebind;
import io.guestguard.migration.watch.ContactWatcher.Step;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.ReporterStarted;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watcher's logic on its own: one guest, facts and time fed by hand. Settings: rebind timeout
 * 1 s, 3 rebinds, blackout grace 2 s, migration timeout 30 s, silence 5 s, start grace 8 s.
 */
class ContactWatcherTest {

    private static final String GUEST = "g1";
    private static final WatchSettings SETTINGS = new WatchSettings(Duration.ofSeconds(1), 3, Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(8));

    private final ContactWatcher watcher = new ContactWatcher(SETTINGS);
    private GuestWatch watch = GuestWatch.UNKNOWN;
    private final List<ContactWatcher.Effect> effects = new ArrayList<>();
    private final List<ContactWatcher.Observation> observations = new ArrayList<>();
    private long seq;
    private int ids;

    @BeforeEach
    void runningOnH1() {
        fact(0, 1L, new GuestStarted("h1"), false);
        reporterFact(100, new ReporterStarted(0, 0));
    }

    @Test
    void aCompletedMigrationIsRebindedToTheTargetAndVerifiedByTheAnswer() {
        fact(10_000, 1L, new MigrationStarted("h1", "h2"), false);
        fact(10_400, 1L, new MigrationCompleted("h1", "h2"), false);

        assertThat(effects).containsExactly(new SendRebind("f4:rebind-1", "h2", 2, "f4", 1));
        reporterFact(10_650, new Rebound("f4:rebind-1", "h2", 2, seq + 2, 0, false));

        assertThat(watch.check()).isNull();
        assertThat(observations).containsExactly(new MigrationSeen("started"), new MigrationSeen("completed"),
                new ContactVerified(ContactWatcher.MIGRATION_COMPLETED, 250, 1));
        for (long t = 11_000; t <= 60_000; t += 1_000) {
            beat(t);
            timeTo(t + 500);
        }
        assertThat(effects).as("a guest that is heard from is not checked again").hasSize(1);
    }

    @Test
    void noAnswerMeansRebindAgainThenEscalate() {
        fact(10_000, 1L, new MigrationStarted("h1", "h2"), false);
        fact(10_400, 1L, new MigrationCompleted("h1", "h2"), false);
        timeTo(11_399);
        assertThat(effects).hasSize(1);
        timeTo(11_400);
        timeTo(12_400);
        timeTo(13_400);

        assertThat(effects).hasSize(4);
        assertThat(effects.subList(0, 3)).extracting(e -> ((SendRebind) e).attempt()).containsExactly(1, 2, 3);
        ContactLost lost = ((Escalate) effects.get(3)).lost();
        assertThat(lost).isEqualTo(new ContactLost("h2", 2, ContactWatcher.MIGRATION_COMPLETED, 3, 3_000,
                "no rebound from the reporter on h2 for epoch 2"));
        assertThat(observations).contains(new Escalated(ContactWatcher.MIGRATION_COMPLETED));
        timeTo(120_000);
        assertThat(effects).as("one escalation per placement: the engine moves the guest on it").hasSize(4);
    }

    @Test
    void silenceInsideTheBlackoutIsNotAFailureButSilenceAfterItIs() {
        fact(10_000, 1L, new MigrationStarted("h1", "h2"), false);
        timeTo(39_999); // no beat for 30 s, all of it inside the blackout
        assertThat(effects).isEmpty();

        fact(40_000 - 1, 1L, new MigrationCompleted("h1", "h2"), false);
        reporterFact(40_100, new Rebound("f4:rebind-1", "h2", 2, seq + 2, 0, false));
        // The blackout ends 2 s after the migration (at 41,999); silence counts from there.
        timeTo(41_999 + 4_999);
        assertThat(effects).as("only the rebind after the migration").hasSize(1);
        timeTo(41_999 + 5_000);
        assertThat(effects).last().isEqualTo(new SendRebind("silence-g1-40100:rebind-1", "h2", 2, "silence-g1-40100", 1));
    }

    @Test
    void aBootingGuestHasItsStartGraceThenASilentOneIsChecked() {
        // Started at 0, heard once at 100: silence counts from the end of the 8 s start grace.
        timeTo(12_999);
        assertThat(effects).isEmpty();
        timeTo(13_000);
        assertThat(effects).containsExactly(new SendRebind("silence-g1-100:rebind-1", "h1", 1, "silence-g1-100", 1));
        assertThat(watch.check().trigger()).isEqualTo(ContactWatcher.HEARTBEATS_STOPPED);
    }

    @Test
    void heartbeatsKeepASilenceCheckAway() {
        for (long t = 1_000; t <= 30_000; t += 1_000) {
            beat(t);
            timeTo(t + 500);
        }
        assertThat(effects).isEmpty();
    }

    @Test
    void aFailedMigrationChecksContactWithTheSourceAtTheSameEpoch() {
        fact(10_000, 1L, new MigrationStarted("h1", "h2"), false);
        fact(10_300, 1L, new MigrationFailed("h1", "h2", "target refused"), false);

        assertThat(effects).containsExactly(new SendRebind("f4:rebind-1", "h1", 1, "f4", 1));
        assertThat(observations).contains(new MigrationSeen("failed"));
    }

    @Test
    void anAbandonedMigrationChecksContactWithTheSource() {
        fact(10_000, 1L, new MigrationStarted("h1", "h2"), false);
        timeTo(39_999);
        assertThat(effects).isEmpty();
        timeTo(40_000);

        assertThat(effects).containsExactly(new SendRebind("abandoned-g1-10000:rebind-1", "h1", 1, "abandoned-g1-10000", 1));
        assertThat(observations).contains(new MigrationSeen("abandoned"));
    }

    @Test
    void aSecondMigrationBeforeTheFirstIsVerifiedReplacesItsCheck() {
        fact(10_000, 1L, new MigrationStarted("h1", "h2"), false);
        fact(10_400, 1L, new MigrationCompleted("h1", "h2"), false);
        fact(10_500, 2L, new MigrationStarted("h2", "h3"), false);
        timeTo(20_000); // the first check's deadlines pass inside the second blackout
        assertThat(effects).hasSize(1);
        fact(20_100, 2L, new MigrationCompleted("h2", "h3"), false);
        reporterFact(20_200, new Rebound("f4:rebind-1", "h2", 2, seq + 2, 0, false)); // the first answer, late
        assertThat(watch.check()).as("an answer for the older placement does not verify the newer").isNotNull();
        reporterFact(20_300, new Rebound("f6:rebind-1", "h3", 3, seq + 2, 0, false));

        assertThat(effects).containsExactly(new SendRebind("f4:rebind-1", "h2", 2, "f4", 1),
                new SendRebind("f6:rebind-1", "h3", 3, "f6", 1));
        assertThat(observations).contains(new ContactVerified(ContactWatcher.MIGRATION_COMPLETED, 200, 1))
                .noneMatch(o -> o instanceof Escalated);
    }

    @Test
    void aGapIsDetectedAndHealsWhenTheReporterResends() {
        long first = seq + 1;
        reporterFactNumbered(1_000, first + 1, new AppFailed("app1", 7L, 1, null, null, null)); // first is missing
        assertThat(observations).contains(new GapDetected(1));
        assertThat(effects).as("the reporter is asked to resend").hasSize(1);
        SendRebind rebind = (SendRebind) effects.get(0);
        reporterFactNumbered(1_200, first + 2, new Rebound(rebind.commandId(), "h1", 1, first + 3, 1, false));
        assertThat(watch.check()).as("not verified while the gap is open").isNotNull();
        reporterFactNumbered(1_300, first, new AppFailed("app1", 6L, 1, null, null, null));

        assertThat(observations).contains(new GapHealed()).anyMatch(o -> o instanceof ContactVerified);
        assertThat(watch.check()).isNull();
        assertThat(watch.contiguousSeq()).isEqualTo(first + 2);
    }

    @Test
    void aGapThatNeverHealsIsEscalated() {
        long first = seq + 1;
        reporterFactNumbered(1_000, first + 1, new AppFailed("app1", 7L, 1, null, null, null));
        SendRebind rebind = (SendRebind) effects.get(0);
        reporterFactNumbered(1_200, first + 2, new Rebound(rebind.commandId(), "h1", 1, first + 3, 1, false));
        timeTo(2_200);
        timeTo(3_200);
        timeTo(4_200);

        assertThat(effects).last().isInstanceOfSatisfying(Escalate.class, e -> assertThat(e.lost().trigger())
                .isEqualTo(ContactWatcher.SEQUENCE_GAP));
    }

    @Test
    void aHaltedGuestIsNotWatchedAndDuplicatesAreNotGaps() {
        reporterFactNumbered(1_000, seq, new AppFailed("app1", 7L, 1, null, null, null)); // read again
        fact(2_000, 1L, new GuestHalted("h1"), false);
        timeTo(600_000);

        assertThat(effects).isEmpty();
        assertThat(observations).noneMatch(o -> o instanceof GapDetected);
    }

    @Test
    void aNewOutboxStartsTheCountAgain() {
        reporterFact(1_000, new AppFailed("app1", 7L, 1, null, null, null));
        reporterFactNumbered(2_000, 1, new ReporterStarted(0, 0));
        reporterFactNumbered(2_100, 2, new AppFailed("app1", 8L, 1, null, null, null));

        assertThat(watch.contiguousSeq()).isEqualTo(2);
        assertThat(observations).noneMatch(o -> o instanceof GapDetected);
    }

    // ---- helpers ----

    private void fact(long atMs, Long epoch, Fact data, boolean fromReporter) {
        CloudEvent<Fact> fact = new CloudEvent<>("f" + ++ids, "/test", Instant.ofEpochMilli(atMs), GUEST,
                fromReporter ? ++seq : null, null, epoch, data);
        record(watcher.onFact(watch, GUEST, fact, atMs));
    }

    private void reporterFact(long atMs, Fact data) {
        fact(atMs, null, data, true);
    }

    private void reporterFactNumbered(long atMs, long number, Fact data) {
        CloudEvent<Fact> fact = new CloudEvent<>("f" + ++ids, "/test", Instant.ofEpochMilli(atMs), GUEST, number, null,
                null, data);
        record(watcher.onFact(watch, GUEST, fact, atMs));
    }

    private void beat(long atMs) {
        record(watcher.onHeartbeat(watch, atMs));
    }

    private void timeTo(long atMs) {
        record(watcher.onTime(watch, GUEST, atMs));
    }

    private void record(Step step) {
        watch = step.state();
        effects.addAll(step.effects());
        observations.addAll(step.observations());
    }
}
