package io.guestguard.deploy.sim;

import io.guestguard.protocol.ContactLost;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The wave's live migrations and what became of each, as seen on the wire (times are broker append
 * times, epoch ms, 0 until they happen): the operator's {@code operator.request}, the source
 * supervisor's {@code migration.started} and {@code migration.completed}, the watcher's rebinds
 * caused by that completion, and the reporter's {@code rebound} answering them. The watcher writes
 * nothing when contact is verified (it counts it in a metric), so from outside "verified" is the
 * rebound that answers the rebind for the new placement, with no {@code contact-lost} for that
 * placement after it; the watcher's own count is read from its metrics as well ({@link FleetSim}).
 *
 * <p>It also runs the wave's failure hooks: the supervisors call {@link #whileMigrating} right after
 * sending {@code migration.started} and {@link #justMigrated} right after {@code migration.completed},
 * holding the guest's monitor, so that an application of a migrating guest fails between the two, and
 * one of a just-migrated guest fails before the watcher's rebind is answered.
 */
final class Migrations {

    /** Fails one application of the guest that is up; false if none is. */
    interface Injector {
        boolean fail(SimGuest guest, String phase);
    }

    static final String WHILE_MIGRATING = "wave-migrating";
    static final String JUST_MIGRATED = "wave-migrated";

    /** One live migration of the wave. */
    static final class Migration {
        final String guest;
        final String from;
        final String to;
        volatile long requestedAt;
        volatile long startedAt;
        volatile String completedId;
        volatile long completedAt;
        volatile long reboundAt;
        volatile boolean failedWhileMigrating;
        volatile boolean failedJustAfter;
        volatile boolean contactLost;
        final AtomicInteger rebinds = new AtomicInteger();

        Migration(String guest, String from, String to) {
            this.guest = guest;
            this.from = from;
            this.to = to;
        }

        /** The guest runs on its new host: the source's {@code migration.completed} is on the log. */
        boolean running() {
            return completedAt > 0;
        }

        /** Its reporter answered the watcher's rebind for the new placement, and contact was not declared lost. */
        boolean verified() {
            return reboundAt > 0 && !contactLost;
        }
    }

    /** A {@code contact-lost} fact read from the guest log. */
    record Lost(String guest, ContactLost fact, long appendedAt) {
    }

    private final Injector injector;
    private final Map<String, Migration> byGuest = new ConcurrentHashMap<>();
    private final Map<String, Migration> byCompletion = new ConcurrentHashMap<>();
    private final List<Lost> lost = new CopyOnWriteArrayList<>();
    private volatile long watchingFrom = Long.MAX_VALUE;

    Migrations(Injector injector) {
        this.injector = injector;
    }

    /** From {@code epochMs} on, the guest log is read for {@code contact-lost} facts. */
    void watchFrom(long epochMs) {
        watchingFrom = epochMs;
    }

    /** Whether a guest-log record appended at {@code appendedAt} is read (before the wave, none is decoded). */
    boolean watching(long appendedAt) {
        return appendedAt >= watchingFrom;
    }

    /** A migration about to be requested: registered first, since the engine may answer before the request's acknowledgement returns. */
    Migration requesting(String guest, String from, String to) {
        Migration migration = new Migration(guest, from, to);
        byGuest.put(guest, migration);
        return migration;
    }

    /** The wave's migration of {@code guest} that has not completed yet, or null. */
    Migration moving(String guest) {
        Migration migration = byGuest.get(guest);
        return migration == null || migration.completedId != null ? null : migration;
    }

    /** {@code migration.started} of {@code guest}, the wave's {@code migration} (or null), was just sent (the caller holds its monitor). */
    void whileMigrating(SimGuest guest, Migration migration) {
        if (migration != null && injector.fail(guest, WHILE_MIGRATING)) {
            migration.failedWhileMigrating = true;
        }
    }

    /** {@code migration.completed} of {@code guest} is about to be sent as fact {@code factId}: the rebinds it causes name it. */
    Migration completing(String guest, String factId) {
        Migration migration = moving(guest);
        if (migration != null) {
            migration.completedId = factId;
            byCompletion.put(factId, migration);
        }
        return migration;
    }

    /** {@code migration.completed} of {@code guest} was just sent (the caller holds its monitor). */
    void justMigrated(SimGuest guest, Migration migration) {
        if (migration != null && injector.fail(guest, JUST_MIGRATED)) {
            migration.failedJustAfter = true;
        }
    }

    /** A rebind caused by fact {@code causeId} reached the reporter; the wave's migration it checks, or null. */
    Migration rebind(String causeId) {
        Migration migration = causeId == null ? null : byCompletion.get(causeId);
        if (migration != null) {
            migration.rebinds.incrementAndGet();
        }
        return migration;
    }

    void contactLost(String guest, ContactLost fact, long appendedAt) {
        lost.add(new Lost(guest, fact, appendedAt));
        Migration migration = byGuest.get(guest);
        if (migration != null && fact.host().equals(migration.to)) {
            migration.contactLost = true;
        }
    }

    List<Migration> all() {
        return new ArrayList<>(byGuest.values());
    }

    /** The {@code contact-lost} facts appended from {@code fromMs} to {@code toMs}. */
    List<Lost> lost(long fromMs, long toMs) {
        return lost.stream().filter(l -> l.appendedAt() >= fromMs && l.appendedAt() <= toMs).toList();
    }
}
