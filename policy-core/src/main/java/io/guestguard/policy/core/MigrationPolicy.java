package io.guestguard.policy.core;

import io.guestguard.policy.core.Placement.Motive;
import io.guestguard.protocol.ContactLost;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.HaltGuest;
import io.guestguard.protocol.MigrateGuest;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.PlacementPhase;

import java.util.Optional;

/**
 * Live migration and contact (steps 6 and 7 of the {@link Decider}'s algorithm). A migration asks the
 * supervisor of the running guest's host to live-migrate it ({@code MigrateGuest}, stamped with the
 * current epoch); the placement does not change until it completes. A completed migration moves the
 * placement to the target with epoch + 1 and leaves every restart budget as it was; to a host the
 * package does not list, the guest is migrated back; during an operator's halt, the halt follows the
 * guest. A migration that starts or fails changes nothing, but one off a halted host is replaced by a halt
 * and a start elsewhere. The migration watcher's
 * {@code contact-lost} fails the guest over, as an application out of restarts does.
 */
final class MigrationPolicy {
    private final Moves moves;

    MigrationPolicy(Moves moves) {
        this.moves = moves;
    }

    /** The decision to live-migrate the guest placed as {@code p} to {@code to}, to be completed and recorded. */
    DecisionBuilder migrate(Turn t, Placement p, String to, Decision.Reason reason) {
        t.state(t.state().migrating(new GuestPlacement.Migration(p.host(), to, t.state().clockMs())));
        return t.decide(Action.MIGRATE, reason).from(p.host()).to(to).epoch(p.epoch())
                .command("migrate", decision -> new MigrateGuest(t.guest(), p.host(), to, p.epoch(), decision));
    }

    void completed(Turn t, MigrationCompleted completed) {
        Placement p = t.placement();
        if (completed.to().equals(p.host())) {
            return; // already recorded
        }
        if (p.motive() == Motive.OPERATOR_HALT && p.phase() != PlacementPhase.RUNNING && p.phase() != PlacementPhase.STARTING) {
            // The operator's halt went to (or was confirmed by) the host the guest just left, so it
            // follows the guest: whatever runs on the target must stop too.
            Placement next = p.haltFollowingTo(completed.to());
            String to = next.host();
            long epoch = next.epoch();
            t.place(next);
            t.decide(Action.HALT_GUEST, DecisionReason.HALT_FOLLOWS_MIGRATION.toReason(t.guest(), completed.from(), to, to,
                            epoch))
                    .from(to).epoch(epoch).command("halt", decision -> new HaltGuest(t.guest(), to, epoch, decision)).record();
            return;
        }
        // The guest kept running: new host, next epoch, every restart budget as it was.
        t.place(p.migratedTo(completed.to()));
        if (t.state().spec() != null && !t.state().spec().hosts().contains(completed.to())) {
            migrateBackToListedHost(t, completed);
        }
    }

    /**
     * The guest was live-migrated to a host its package does not list (by someone else than the
     * decider). The placement follows it there, since one runner is kept by knowing where it runs;
     * but it may not stay: it is live-migrated back to an eligible host (its budgets go with it),
     * held when maintenance or disabled switching forbids it, and an alert when no host is eligible.
     */
    private void migrateBackToListedHost(Turn t, MigrationCompleted completed) {
        Placement p = t.placement();
        String what = t.guest() + " was live-migrated from " + completed.from() + " to " + completed.to()
                + ", a host its package does not list";
        if (!moves.canAct(t, what)) {
            return;
        }
        Optional<HostChoice> target = moves.awayFrom(t, p);
        if (target.isEmpty()) {
            return;
        }
        String to = target.get().host();
        migrate(t, p, to, DecisionReason.MIGRATION_TARGET_NOT_LISTED.toReason(t.guest(), completed.from(), p.host(), to,
                p.epoch())).loads(target.get().loadsUsed()).record();
    }

    /**
     * A live migration failed: the source keeps the guest, and nothing changes, unless the source is
     * halted (in maintenance) with the guest still on it: then it leaves by a halt and a start on the
     * next eligible host, as {@code cmhaltnode} does with a package it cannot move otherwise.
     */
    void failed(Turn t, MigrationFailed failed) {
        t.state(t.state().migrationOver());
        Placement p = t.placement();
        if (p.phase() != PlacementPhase.RUNNING || !failed.from().equals(p.host()) || !t.sameEpoch()
                || !t.state().hosts().isInMaintenance(p.host())) {
            return;
        }
        String what = "the live migration of " + t.guest() + " off halted host " + p.host() + " failed";
        if (!moves.canAct(t, what)) {
            return;
        }
        moves.awayFrom(t, p).ifPresent(target -> moves.leave(t, Action.MOVE, Motive.OPERATOR_MOVE, target.host(),
                DecisionReason.HOST_HALT_MIGRATION_FAILED.toReason(t.guest(), p.host(), failed.to(), failed.reason(),
                        p.host(), target.host())).loads(target.loadsUsed()).record());
    }

    /**
     * The migration watcher lost contact with the reporter on the guest's current host: its
     * application failures would go unnoticed there, so the guest leaves, as when an application
     * used up its restarts. (A reporter cannot be restarted from outside a guest it cannot reach;
     * starting the guest elsewhere restarts it.)
     */
    void contactLost(Turn t, ContactLost lost) {
        Placement p = t.placement();
        if (p.phase() != PlacementPhase.RUNNING || !lost.host().equals(p.host()) || !t.sameEpoch()) {
            return; // the guest is already moving, or this is about a placement that is over
        }
        String what = lost.describe();
        if (moves.canAct(t, what)) {
            moves.failOver(t, p, to -> DecisionReason.CONTACT_LOST.toReason(what, t.guest(), p.host(), to));
        }
    }
}
