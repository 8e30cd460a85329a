package io.guestguard.policy.core;

import io.guestguard.policy.core.Placement.Motive;
import io.guestguard.protocol.CommandKind;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStartFailed;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.PackageSpec;
import io.guestguard.protocol.PlacementPhase;

import java.util.Set;

/**
 * The placement's own life, as the hosts report it (steps 3 and 8 of the {@link Decider}'s
 * algorithm): a package applied with {@code auto_run} starts the guest; a start is confirmed, or fails
 * and the next eligible host is tried; a confirmed halt releases the guest to its next host; a guest
 * that goes down unasked starts elsewhere; a guest reported running where it is not placed, and a
 * host's refusal of a command about the current placement, are alerts. Where it goes is
 * {@link Moves}' and {@link HostChoice}'s part.
 */
final class PlacementPolicy {
    private final Moves moves;

    PlacementPolicy(Moves moves) {
        this.moves = moves;
    }

    void packageApplied(Turn t, PackageSpec spec) {
        t.state(t.state().applied(spec));
        Placement p = t.placement();
        if (spec.autoRun() && !t.state().maintenance() && p.phase() == PlacementPhase.DOWN && p.motive() != Motive.OPERATOR_HALT) {
            moves.startSomewhere(t, Motive.AUTO_RUN, Set.of(), (to, epoch) -> DecisionReason.AUTO_RUN.toReason(t.guest(), to));
        }
    }

    void started(Turn t, GuestStarted started) {
        Placement p = t.placement();
        long epoch = t.fact().epoch() == null ? p.epoch() : t.fact().epoch();
        if (p.host() == null || p.phase() == PlacementPhase.DOWN && epoch >= p.epoch()) {
            // Started without us (first adoption of a running guest): take it as the placement.
            t.place(Placement.adopted(started.host(), epoch));
            return;
        }
        if (started.host().equals(p.host()) && epoch == p.epoch()) {
            if (p.phase() == PlacementPhase.STARTING) {
                // Confirmed: the move is over (a running placement's motive is only ever a held failover).
                t.state(t.state().placed(p.confirmedRunning()).knowing(t.state().hosts().withoutFailedTargets()));
            }
            return;
        }
        t.decide(Action.ALERT, DecisionReason.UNEXPECTED_PLACEMENT.toReason(t.guest(), started.host(), epoch, p.host(), p.epoch()))
                .from(started.host()).epoch(epoch).record();
    }

    void halted(Turn t, GuestHalted halted) {
        Placement p = t.placement();
        if (!halted.host().equals(p.host()) || !t.sameEpoch()) {
            return;
        }
        // A lost host whose supervisor came back and says the guest is off releases it as a fence would.
        if (p.phase() == PlacementPhase.HALTING || p.phase() == PlacementPhase.FENCING) {
            boolean staysDown = p.phase() == PlacementPhase.HALTING ? p.nextHost() == null : p.motive() == Motive.OPERATOR_HALT;
            if (staysDown) {
                t.place(p.down(p.motive()));
                return;
            }
            moves.startAfterRelease(t, DecisionReason.HALT_CONFIRMED, p, halted.host());
            return;
        }
        if (p.phase() == PlacementPhase.RUNNING || p.phase() == PlacementPhase.STARTING) {
            t.place(p.down(Motive.GUEST_DOWN));
            if (!moves.canAct(t, t.guest() + " halted on " + halted.host() + " without being asked")) {
                return;
            }
            moves.startSomewhere(t, Motive.GUEST_DOWN, Set.of(halted.host()),
                    (to, epoch) -> DecisionReason.GUEST_DOWN.toReason(t.guest(), halted.host(), to, epoch));
        }
    }

    void startFailed(Turn t, GuestStartFailed failed) {
        Placement p = t.placement();
        if (p.phase() != PlacementPhase.STARTING || !failed.host().equals(p.host()) || !t.sameEpoch()) {
            return;
        }
        t.state(t.state().knowing(t.state().hosts().markFailedTarget(failed.host())).placed(p.down(Motive.START_FAILED)));
        moves.startSomewhere(t, Motive.START_FAILED, Set.of(), (to, epoch) ->
                DecisionReason.START_FAILED_NEXT_HOST.toReason(t.guest(), failed.host(), failed.reason(), to, epoch));
    }

    /**
     * A host refused a command about the current placement. Nothing is retried and no placement
     * changes: whatever the refusal means, a person must look.
     */
    void refused(Turn t, CommandRefused refused) {
        if (!t.sameEpoch()) {
            return; // not about the placement we know (older ones never get here)
        }
        if (refused.command() == CommandKind.MIGRATE_GUEST) {
            t.state(t.state().migrationOver()); // the migration asked for will not happen
        }
        Placement p = t.placement();
        t.decide(Action.ALERT, DecisionReason.COMMAND_REFUSED.toReason(refused.host(), refused.command(),
                        refused.commandId(), t.guest(), refused.reason(), t.guest(), p.describe()))
                .from(refused.host()).epoch(p.host() == null ? null : p.epoch()).record();
    }
}
