package io.guestguard.migration.watch;

import io.guestguard.migration.watch.GuestWatch.Check;
import io.guestguard.migration.watch.GuestWatch.Migration;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.Ids;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.MigrationStarted;
import io.guestguard.protocol.Rebound;
import io.guestguard.protocol.ReporterStarted;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The migration watcher's logic, pure: one guest's {@link GuestWatch} and one input (a fact from
 * its log, a heartbeat, or the passing of time, given as {@code nowMs}) give the next
 * {@link GuestWatch}, the commands and facts to write ({@link Effect}) and what to count
 * ({@link Observation}).
 *
 * <ol>
 *   <li><b>Blackout.</b> {@code migration.started} opens it; heartbeat silence within it is the
 *       migration's. It ends a grace after {@code migration.completed} or {@code migration.failed},
 *       or, if neither comes, the migration is abandoned after the migration timeout. A guest's
 *       start opens one too, for its reporter's boot.</li>
 *   <li><b>Contact check.</b> When a migration ends in any way, or a running guest falls silent
 *       outside a blackout, a {@code rebind} goes to the guest for its current placement (after a
 *       completed migration, the target host and epoch + 1, as the engine places it).</li>
 *   <li><b>Verified</b> when {@code rebound} answers for that placement and every fact numbered below
 *       its {@code nextSeq} has been read. A gap (facts numbered above one not read) waits for the
 *       reporter's resend; the rebind is sent again after each timeout.</li>
 *   <li><b>Escalation.</b> After the last rebind's timeout, a {@code contact-lost} fact goes to the
 *       guest log: the engine fails the guest over. Never silence.</li>
 *   <li>A second migration that starts before the check of the first ends replaces that check: its
 *       own end checks contact for the newer placement.</li>
 *   <li><b>Sequence numbers.</b> A reporter numbers its facts 1, 2, 3, ... and they reach the log in
 *       that order (resends repeat earlier numbers). A number above the next expected one opens a
 *       gap, and a gap starts a check. The reporter's answer ({@code rebound}, numbered
 *       {@code nextSeq - 1}) says which numbers it ever gave and which it still holds: those at or
 *       above {@code nextSeq} read before it were never given ({@link SeqNeverAssigned}), those below
 *       the ones it still holds cannot be resent ({@link SeqNotResent}); neither holds a gap open.
 *       A {@code reporter.started} opens a new run at its number, whatever it is. So a wrong number
 *       costs one rebind and one observation; only a reporter that does not answer, or a gap among
 *       the facts it still holds that its resend does not close, leads to {@code contact-lost}.</li>
 * </ol>
 */
public final class ContactWatcher {

    /** What to write. */
    public sealed interface Effect {
    }

    /** Send {@code rebind} to the guest: attempt {@code attempt} for the placement {@code host}/{@code epoch}. */
    public record SendRebind(String commandId, String host, long epoch, String causeId, int attempt) implements Effect {
    }

    /** Write {@code contact-lost} to the guest log, about placement {@code lost.epoch()}. */
    public record Escalate(String factId, ContactLost lost) implements Effect {
    }

    /** What to count. */
    public sealed interface Observation {
    }

    /** A migration was read: {@code outcome} is started, completed, failed or abandoned. */
    public record MigrationSeen(String outcome) implements Observation {
    }

    /** A check ended well: contact was verified {@code latencyMs} after {@code trigger} (a completed migration's end). */
    public record ContactVerified(String trigger, long latencyMs, int rebindsSent) implements Observation {
    }

    /** Facts numbered {@code missing} were not read when the reporter said they had been written. */
    public record GapDetected(long missing) implements Observation {
    }

    /** A gap closed: the missing facts arrived (the reporter resent them). */
    public record GapHealed() implements Observation {
    }

    /**
     * Facts numbered up to {@code highestRead} were read, but the reporter answered that its next
     * number is {@code nextSeq}: the numbers from {@code nextSeq} on were never assigned (a forged or
     * corrupted record) and no longer count. The worst a wrong number can do: this, and one rebind.
     */
    public record SeqNeverAssigned(long nextSeq, long highestRead) implements Observation {
    }

    /**
     * Facts numbered {@code from} to {@code to} were never read, but the reporter's answer says it
     * does not hold them any more (Kafka acknowledged them, or it dropped them and reported it): no
     * resend can bring them, so they are not waited for.
     */
    public record SeqNotResent(long from, long to) implements Observation {
    }

    /** Contact was declared lost. */
    public record Escalated(String trigger) implements Observation {
    }

    /** The outcome of one input. */
    public record Step(GuestWatch state, List<Effect> effects, List<Observation> observations) {
        public Step {
            effects = List.copyOf(effects);
            observations = List.copyOf(observations);
        }
    }

    public static final String MIGRATION_COMPLETED = "migration-completed";
    public static final String MIGRATION_FAILED = "migration-failed";
    public static final String MIGRATION_ABANDONED = "migration-abandoned";
    public static final String HEARTBEATS_STOPPED = "heartbeats-stopped";
    public static final String SEQUENCE_GAP = "sequence-gap";

    private final WatchSettings settings;

    public ContactWatcher(WatchSettings settings) {
        this.settings = settings;
    }

    /**
     * How often a running guest's heartbeat needs reading: a quarter of the silence timeout, and at
     * least once a second. A beat only pushes the silence deadline back (a check is answered by
     * {@code rebound}, never by a beat), so reading one beat in this interval rather than every beat
     * moves the deadline earlier by at most this much, never later: a guest that stops beating is
     * checked after 7.5 to 10 s of silence at the default 10 s, and each beat read costs a signature check.
     */
    public long beatReadIntervalMs() {
        return Math.max(1_000, settings.silenceTimeout().toMillis() / 4);
    }

    /** A fact from the guest's log. */
    public Step onFact(GuestWatch watch, String guest, CloudEvent<? extends Fact> fact, long nowMs) {
        Work work = new Work(watch, guest, nowMs);
        if (fact.guestSeq() != null) {
            work.heardSeq(fact.guestSeq(), fact.data() instanceof ReporterStarted);
        }
        Fact data = fact.data();
        if (data instanceof MigrationStarted started) {
            work.migrationStarted(started);
        } else if (data instanceof MigrationCompleted completed) {
            work.migrationCompleted(fact, completed);
        } else if (data instanceof MigrationFailed failed) {
            work.migrationEnded(MIGRATION_FAILED, fact.id(), fact.time().toEpochMilli(), failed.from());
        } else if (data instanceof GuestStarted started) {
            long epoch = fact.epoch() == null ? work.state.epoch() : fact.epoch();
            // A booting guest's reporter is not silent yet: its start is a blackout of its own.
            work.state = new GuestWatch(started.host(), epoch, true, null, nowMs + settings.startGrace().toMillis(), nowMs,
                    work.state.contiguousSeq(), work.state.aheadSeqs(), null, work.state.escalatedEpoch());
        } else if (data instanceof GuestHalted halted && halted.host().equals(work.state.host())) {
            work.state = work.state.placedOn(halted.host(), work.state.epoch(), false).withCheck(null)
                    .withMigration(null, 0);
        } else if (data instanceof Rebound rebound) {
            work.rebound(rebound, fact.guestSeq());
        }
        work.closeHealedCheck();
        return work.step();
    }

    /** A heartbeat of the guest's reporter. */
    public Step onHeartbeat(GuestWatch watch, long nowMs) {
        return new Step(watch.heardAt(nowMs), List.of(), List.of());
    }

    /** Time passed: a deadline may be due. */
    public Step onTime(GuestWatch watch, String guest, long nowMs) {
        Work work = new Work(watch, guest, nowMs);
        work.timePassed();
        return work.step();
    }

    /** When {@link #onTime} next has something to do for this guest, if ever. */
    public OptionalLong dueAtMs(GuestWatch watch) {
        if (watch.check() != null) {
            return OptionalLong.of(watch.check().deadlineMs());
        }
        if (watch.migration() != null) {
            return OptionalLong.of(watch.blackoutUntilMs());
        }
        if (watch.running() && watch.escalatedEpoch() != watch.epoch()) {
            return OptionalLong.of(Math.max(watch.lastHeardMs(), watch.blackoutUntilMs()) + settings.silenceTimeout().toMillis());
        }
        return OptionalLong.empty();
    }

    /** The work on one input. */
    private final class Work {
        private GuestWatch state;
        private final String guest;
        private final long nowMs;
        private final List<Effect> effects = new ArrayList<>();
        private final List<Observation> observations = new ArrayList<>();

        Work(GuestWatch state, String guest, long nowMs) {
            this.state = state;
            this.guest = guest;
            this.nowMs = nowMs;
        }

        Step step() {
            return new Step(state, effects, observations);
        }

        void heardSeq(long seq, boolean runStarts) {
            state = state.heardAt(nowMs);
            long contiguous = state.contiguousSeq();
            TreeSet<Long> ahead = new TreeSet<>(state.aheadSeqs());
            if (runStarts) {
                // A new reporter run, whatever its number (1 for a new outbox): what was counted above a
                // gap belonged to the old run, whose unsent facts the new one resent before this one.
                contiguous = seq - 1;
                ahead.clear();
            } else if (contiguous == 0) {
                contiguous = seq - 1; // the first fact read: counting starts here
            }
            if (seq == contiguous + 1) {
                contiguous = seq;
                while (ahead.remove(contiguous + 1)) {
                    contiguous++;
                }
            } else if (seq > contiguous + 1) {
                ahead.add(seq);
                while (ahead.size() > GuestWatch.MAX_AHEAD) {
                    ahead.pollLast();
                }
            }
            ahead.headSet(contiguous, true).clear();
            boolean hadGap = !state.aheadSeqs().isEmpty();
            state = state.withSeqs(contiguous, List.copyOf(ahead));
            if (!hadGap && !ahead.isEmpty()) {
                observations.add(new GapDetected(ahead.first() - contiguous - 1));
                if (state.check() == null && state.migration() == null && state.running()) {
                    startCheck(SEQUENCE_GAP, "gap-" + guest + "-" + (contiguous + 1), nowMs, state.host(), state.epoch());
                }
            } else if (hadGap && ahead.isEmpty() && !runStarts) {
                observations.add(new GapHealed());
            }
        }

        void migrationStarted(MigrationStarted started) {
            observations.add(new MigrationSeen("started"));
            // A check still open (a migration that just ended) is replaced: the end of this one checks anew.
            state = state.withCheck(null).withMigration(new Migration(started.from(), started.to(), nowMs),
                    nowMs + settings.migrationTimeout().toMillis());
        }

        void migrationCompleted(CloudEvent<? extends Fact> fact, MigrationCompleted completed) {
            if (completed.to().equals(state.host()) && state.migration() == null) {
                return; // read before (the engine likewise moves the placement once)
            }
            long epoch = (fact.epoch() == null ? state.epoch() : fact.epoch()) + 1;
            state = state.placedOn(completed.to(), epoch, true);
            migrationEnded(MIGRATION_COMPLETED, fact.id(), fact.time().toEpochMilli(), completed.to());
        }

        /** The blackout ends a grace from now; contact is checked with the host that has the guest. */
        void migrationEnded(String outcome, String causeId, long endedAtMs, String host) {
            observations.add(new MigrationSeen(outcome.substring("migration-".length())));
            state = state.withMigration(null, nowMs + settings.blackoutGrace().toMillis());
            long since = outcome.equals(MIGRATION_COMPLETED) ? Math.min(endedAtMs, nowMs) : nowMs;
            if (state.running() && host.equals(state.host())) {
                startCheck(outcome, causeId, since, state.host(), state.epoch());
            }
        }

        /**
         * The reporter's answer to a rebind for the placement being checked: it has given every number
         * below {@code nextSeq} (its own is {@code nextSeq - 1}). Each new answer replaces the one taken
         * before; the same answer read again changes nothing.
         */
        void rebound(Rebound rebound, Long seq) {
            Check check = state.check();
            if (check == null || !rebound.host().equals(check.host()) || rebound.epoch() != check.epoch()) {
                return; // an answer to an older rebind: contact, but not the one asked for
            }
            long assigned = rebound.nextSeq() - 1;
            if (seq == null || seq != assigned) {
                return; // not how a reporter numbers its answer: not taken as one
            }
            if (check.answered() && check.expectSeq() == assigned) {
                return; // this answer, read again
            }
            correctCount(rebound.nextSeq(), rebound.resent());
            // A gap left now can only be closed by the reporter's resend: give it a full timeout.
            state = state.withCheck(new Check(check.trigger(), check.host(), check.epoch(), check.sinceMs(),
                    check.startedAtMs(), check.rebindsSent(), nowMs + settings.rebindTimeout().toMillis(), check.causeId(),
                    true, assigned));
        }

        /**
         * Sets the count right by the reporter's answer. Its facts reach the log in the order it
         * numbers them, and a resend repeats what it still holds unacknowledged ({@code resent} facts,
         * right below the answer's own number). So numbers at or above {@code nextSeq} read before the
         * answer were never assigned (a forged or corrupted record): they are dropped, and a count
         * they ran ahead goes back to the answer. And numbers missing below the ones it still holds are
         * not waited for: Kafka acknowledged them (a count set back by a forged record missed them) or
         * the reporter dropped them and said so; no resend can bring them. Each correction is one
         * observation; only what the reporter still holds can keep the gap open.
         */
        private void correctCount(long nextSeq, long resent) {
            TreeSet<Long> ahead = new TreeSet<>(state.aheadSeqs());
            long contiguous = state.contiguousSeq();
            long highest = Math.max(contiguous, ahead.isEmpty() ? 0 : ahead.last());
            if (highest >= nextSeq) {
                ahead.tailSet(nextSeq).clear();
                contiguous = Math.min(contiguous, nextSeq - 1);
                observations.add(new SeqNeverAssigned(nextSeq, highest));
            }
            long acknowledged = nextSeq - 2 - Math.max(0, resent); // the answer is nextSeq - 1
            if (contiguous < acknowledged) {
                long lastMissing = acknowledged;
                while (ahead.contains(lastMissing)) {
                    lastMissing--;
                }
                observations.add(new SeqNotResent(contiguous + 1, lastMissing));
                contiguous = acknowledged;
            }
            while (ahead.remove(contiguous + 1)) {
                contiguous++;
            }
            ahead.headSet(contiguous, true).clear();
            state = state.withSeqs(contiguous, List.copyOf(ahead));
        }

        /** A check whose answer came and whose gap is closed is done. */
        void closeHealedCheck() {
            Check check = state.check();
            if (check == null || !check.answered() || state.contiguousSeq() < check.expectSeq()
                    || !state.aheadSeqs().isEmpty()) {
                return;
            }
            observations.add(new ContactVerified(check.trigger(), nowMs - check.sinceMs(), check.rebindsSent()));
            state = state.withCheck(null);
        }

        void timePassed() {
            Migration migration = state.migration();
            if (migration != null && nowMs >= state.blackoutUntilMs()) {
                migrationEnded(MIGRATION_ABANDONED, "abandoned-" + guest + "-" + migration.startedAtMs(), nowMs,
                        state.host() == null ? migration.from() : state.host());
                return;
            }
            Check check = state.check();
            if (check != null) {
                if (nowMs < check.deadlineMs()) {
                    return;
                }
                if (check.rebindsSent() < settings.rebindAttempts()) {
                    rebind(check, check.rebindsSent() + 1);
                    return;
                }
                escalate(check);
                return;
            }
            OptionalLong due = dueAtMs(state);
            if (migration == null && due.isPresent() && nowMs >= due.getAsLong()) {
                startCheck(HEARTBEATS_STOPPED, "silence-" + guest + "-" + state.lastHeardMs(), nowMs, state.host(),
                        state.epoch());
            }
        }

        private void startCheck(String trigger, String causeId, long sinceMs, String host, long epoch) {
            Check check = new Check(trigger, host, epoch, sinceMs, nowMs, 0, 0, causeId, false, 0);
            rebind(check, 1);
        }

        private void rebind(Check check, int attempt) {
            String id = Ids.derive("", check.causeId(), ":rebind-" + attempt);
            state = state.withCheck(new Check(check.trigger(), check.host(), check.epoch(), check.sinceMs(),
                    check.startedAtMs(), attempt, nowMs + settings.rebindTimeout().toMillis(), check.causeId(),
                    check.answered(), check.expectSeq()));
            effects.add(new SendRebind(id, check.host(), check.epoch(), check.causeId(), attempt));
        }

        private void escalate(Check check) {
            String reason = check.answered()
                    ? "the reporter answered, but its facts from seq " + (state.contiguousSeq() + 1)
                            + " on have a gap that its resends did not close, so failures in it may be unknown"
                    : "no rebound from the reporter on " + check.host() + " for epoch " + check.epoch();
            String trigger = check.answered() ? SEQUENCE_GAP : check.trigger();
            effects.add(new Escalate(Ids.derive("", check.causeId(), ":contact-lost"), new ContactLost(check.host(), check.epoch(),
                    trigger, check.rebindsSent(), nowMs - check.startedAtMs(), reason)));
            observations.add(new Escalated(trigger));
            state = state.escalated(check.epoch());
        }
    }
}
