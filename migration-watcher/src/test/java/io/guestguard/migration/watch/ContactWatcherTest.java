package io.guestguard.migration.watch;

import io.guestguard.migration.watch.ContactWatcher.ContactVerified;
import io.guestguard.migration.watch.ContactWatcher.Escalate;
import io.guestguard.migration.watch.ContactWatcher.Escalated;
import io.guestguard.migration.watch.ContactWatcher.GapDetected;
import io.guestguard.migration.watch.ContactWatcher.GapHealed;
import io.guestguard.migration.watch.ContactWatcher.MigrationSeen;
import io.guestguard.migration.watch.ContactWatcher.SendRebind;
import io.guestguard.migration.watch.ContactWatcher.SeqNeverAssigned;
import io.guestguard.migration.watch.ContactWatcher.SeqNotResent;
import io.guestguard.migration.watch.ContactWatcher.Step;
import io.guestguard.protocol.AppFailed;
import io.guestguard.protocol.AppStarted;
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
        // It still holds both (first was lost on the way, first + 1 is not acknowledged after it): resent 2.
        reporterFactNumbered(1_200, first + 2, new Rebound(rebind.commandId(), "h1", 1, first + 3, 2, false));
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
        reporterFactNumbered(1_200, first + 2, new Rebound(rebind.commandId(), "h1", 1, first + 3, 2, false));
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

    // ---- a wrong sequence number: one rebind and one observation at worst, never a failover ----

    @Test
    void aNumberFarAheadOfTheReportersCostsOneRebindAndAnObservationNotAFailover() {
        // The attack of issue 11: a plain Kafka client writes app.started for g1 with guestseq 2^52.
        long forged = 1L << 52;
        reporterFactNumbered(1_000, forged, new AppStarted("app1", 4242L));
        assertThat(observations).contains(new GapDetected(forged - seq - 1));
        SendRebind rebind = (SendRebind) effects.get(0);
        assertThat(rebind.causeId()).startsWith("gap-");

        // The reporter answers: its next number is seq + 2, and it holds nothing unacknowledged.
        reporterFact(1_100, new Rebound(rebind.commandId(), "h1", 1, seq + 2, 0, false));

        assertThat(observations).contains(new SeqNeverAssigned(seq + 1, forged))
                .anyMatch(o -> o instanceof ContactVerified v && v.trigger().equals(ContactWatcher.SEQUENCE_GAP));
        assertThat(watch.check()).isNull();
        assertThat(watch.aheadSeqs()).isEmpty();
        for (long t = 2_000; t <= 120_000; t += 1_000) {
            beat(t);
            timeTo(t + 500);
        }
        assertThat(effects).as("the one rebind, no contact-lost").containsExactly(rebind);
        assertThat(observations).noneMatch(o -> o instanceof Escalated);
    }

    @Test
    void theHighestNumberTheCodecTakesIsDroppedTheSameWay() {
        long forged = (1L << 53) - 1;
        reporterFactNumbered(1_000, forged, new AppStarted("app1", 4242L));
        SendRebind rebind = (SendRebind) effects.get(0);
        reporterFact(1_100, new Rebound(rebind.commandId(), "h1", 1, seq + 2, 0, false));
        timeTo(60_000);

        assertThat(observations).contains(new SeqNeverAssigned(seq + 1, forged)).noneMatch(o -> o instanceof Escalated);
    }

    @Test
    void afterAWrongNumberWasDroppedARealGapIsStillFound() {
        reporterFactNumbered(1_000, 1L << 52, new AppStarted("app1", 4242L));
        SendRebind first = (SendRebind) effects.get(0);
        reporterFact(1_100, new Rebound(first.commandId(), "h1", 1, seq + 2, 0, false));

        reporterFactNumbered(2_000, seq + 2, new AppFailed("app1", 7L, 1, null, null, null)); // seq + 1 is missing

        assertThat(observations.stream().filter(o -> o instanceof GapDetected)).hasSize(2);
        assertThat(effects).hasSize(2);
        assertThat(watch.check().trigger()).isEqualTo(ContactWatcher.SEQUENCE_GAP);
    }

    @Test
    void aCountRunAheadByAWrongRunStartIsSetBackByTheNextAnswer() {
        // A forged reporter.started far ahead: every real number after it looks read already.
        reporterFactNumbered(1_000, 1L << 52, new ReporterStarted(0, 0));
        reporterFact(1_100, new AppFailed("app1", 7L, 1, null, null, null));
        fact(10_000, 1L, new MigrationStarted("h1", "h2"), false);
        fact(10_400, 1L, new MigrationCompleted("h1", "h2"), false);
        SendRebind rebind = (SendRebind) effects.get(0);

        reporterFact(10_600, new Rebound(rebind.commandId(), "h2", 2, seq + 2, 0, false));

        assertThat(observations).contains(new SeqNeverAssigned(seq + 1, 1L << 52));
        assertThat(watch.contiguousSeq()).as("back to the answer's own number").isEqualTo(seq);
        assertThat(watch.check()).isNull();
        reporterFactNumbered(11_000, seq + 2, new AppFailed("app1", 8L, 1, null, null, null)); // seq + 1 missing
        assertThat(observations).as("gaps are seen again").anyMatch(o -> o instanceof GapDetected);
    }

    @Test
    void aRunStartGoingBackwardsIsSetRightByTheAnswerNotAFailover() {
        for (int i = 0; i < 5; i++) {
            reporterFact(1_000 + i, new AppStarted("app1", 100L + i));
        }
        long real = seq;
        // A forged reporter.started numbered 1, as a reporter with a new outbox would write.
        reporterFactNumbered(2_000, 1, new ReporterStarted(0, 0));
        reporterFact(2_100, new AppFailed("app1", 7L, 1, null, null, null)); // the real reporter goes on at real + 1
        assertThat(observations).contains(new GapDetected(real - 1));
        SendRebind rebind = (SendRebind) effects.get(0);

        reporterFact(2_200, new Rebound(rebind.commandId(), "h1", 1, seq + 2, 0, false));

        assertThat(observations).contains(new SeqNotResent(2, real))
                .anyMatch(o -> o instanceof ContactVerified);
        timeTo(60_000);
        assertThat(observations).noneMatch(o -> o instanceof Escalated);
    }

    @Test
    void factsTheReporterStillHoldsAreWaitedForAndAWrongNumberAfterTheAnswerFallsToTheNextAnswer() {
        long first = seq + 1;
        reporterFactNumbered(1_000, first + 1, new AppFailed("app1", 7L, 1, null, null, null)); // first was lost
        SendRebind rebind = (SendRebind) effects.get(0);
        reporterFactNumbered(1_200, first + 2, new Rebound(rebind.commandId(), "h1", 1, first + 3, 2, false));
        reporterFactNumbered(1_300, 1L << 52, new AppStarted("app1", 4242L)); // forged, after the answer
        reporterFactNumbered(1_400, first, new AppFailed("app1", 6L, 1, null, null, null)); // the resend
        assertThat(watch.check()).as("the wrong number holds the check open").isNotNull();

        timeTo(2_200); // no gap closed in time: rebind again
        SendRebind again = (SendRebind) effects.get(1);
        assertThat(again.attempt()).isEqualTo(2);
        reporterFactNumbered(2_300, first + 3, new Rebound(again.commandId(), "h1", 1, first + 4, 0, false));

        assertThat(watch.check()).isNull();
        assertThat(observations).contains(new SeqNeverAssigned(first + 4, 1L << 52)).anyMatch(o -> o instanceof ContactVerified);
        timeTo(60_000);
        assertThat(observations).noneMatch(o -> o instanceof Escalated);
    }

    @Test
    void theSameAnswerReadAgainChangesNothing() {
        long first = seq + 1;
        reporterFactNumbered(1_000, first + 1, new AppFailed("app1", 7L, 1, null, null, null));
        SendRebind rebind = (SendRebind) effects.get(0);
        Rebound answer = new Rebound(rebind.commandId(), "h1", 1, first + 3, 2, false);
        reporterFactNumbered(1_200, first + 2, answer);
        GuestWatch answered = watch;

        reporterFactNumbered(1_900, first + 2, answer); // resent by a new producer

        assertThat(watch.check()).isEqualTo(answered.check());
        assertThat(observations).noneMatch(o -> o instanceof SeqNeverAssigned || o instanceof SeqNotResent);
    }

    @Test
    void aReporterStartOpensANewRunWhateverItsNumber() {
        reporterFactNumbered(1_000, seq + 3, new AppFailed("app1", 7L, 1, null, null, null)); // a gap
        assertThat(watch.aheadSeqs()).isNotEmpty();

        reporterFactNumbered(1_500, 40, new ReporterStarted(2, 0)); // a restarted reporter, its outbox kept

        assertThat(watch.contiguousSeq()).isEqualTo(40);
        assertThat(watch.aheadSeqs()).as("what was above the gap belonged to the old run").isEmpty();
        reporterFactNumbered(1_600, 41, new AppStarted("app1", 8L));
        assertThat(watch.contiguousSeq()).isEqualTo(41);
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
