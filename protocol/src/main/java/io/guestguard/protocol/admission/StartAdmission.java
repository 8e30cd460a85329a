package io.guestguard.protocol.admission;

import io.guestguard.protocol.GuestPlacement;
import io.guestguard.protocol.PlacementPhase;
import io.guestguard.protocol.RefusalReason;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Whether a host may start a guest it was told to start: the admission rules of a
 * {@code command.start-guest}, pure (no I/O, no clock, no framework), so that the host supervisor
 * and policy-core's simulated fleet apply the same rules. It is given what the supervisor knows and
 * answers admit (an empty {@link Optional}) or a typed {@link Refusal}, whose detail is the text
 * written in the {@code host.command-refused} fact.
 *
 * <p>A start is judged in this order; the first rule that refuses decides:
 * <ol>
 *   <li><b>Stale epoch</b> ({@link #stale}): the newest placement of the guest has a newer epoch than
 *       the command; it refuses {@link RefusalReason#STALE_EPOCH}. The same rule guards halts and
 *       migrations.</li>
 *   <li><b>Startable phase</b> ({@link #placement}): the placement of the command's epoch, if
 *       known, must be on this host and {@code STARTING} or {@code RUNNING}; else
 *       {@link RefusalReason#NOT_STARTABLE_HERE} (a late copy of a start whose placement has since
 *       been halted: starting it would race the engine's next placement elsewhere).</li>
 *   <li>The caller then asks its hypervisor: a guest that already runs here is reported started
 *       (the command applied again), without the rules below.</li>
 *   <li><b>Blind spot</b> ({@link #secondRunner}): if the fleet watch cannot vouch for the guest (a
 *       placement or a host's beats skipped at its bounds), {@link RefusalReason#CANNOT_RULE_OUT_SECOND_RUNNER}
 *       with the watch's own words: never a second runner, even at a bound.</li>
 *   <li><b>Second runner</b> ({@link #secondRunner}): another host's live beat lists the guest;
 *       {@link RefusalReason#RUNS_ELSEWHERE}, naming the host ({@link Refusal#runsOn()}). The
 *       supervisor waits for that host's next beat and asks again before it refuses: a beat is a
 *       snapshot and may predate the host's stopping the guest.</li>
 * </ol>
 * Which beats are live (received within the peer timeout) is the caller's to say, with its clock.
 */
public final class StartAdmission {

    /** Placement phases in which a host may start (or report started) the placement's guest. */
    private static final Set<PlacementPhase> STARTABLE = EnumSet.of(PlacementPhase.STARTING, PlacementPhase.RUNNING);

    private final String host;

    /** @param host the host that would start the guest */
    public StartAdmission(String host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    /**
     * Why a command was not admitted.
     *
     * @param reason why, typed
     * @param detail the particulars, as the refusal fact says them
     * @param runsOn for {@link RefusalReason#RUNS_ELSEWHERE}, the host whose beat lists the guest; else {@code null}
     */
    public record Refusal(RefusalReason reason, String detail, String runsOn) {
        public Refusal {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * Rule 1, for any command about a placement: refused when {@code newest}, the newest placement
     * of {@code guest} as last published, has a newer epoch than the command's {@code epoch}.
     */
    public static Optional<Refusal> stale(String guest, long epoch, Optional<GuestPlacement> newest) {
        if (newest.isPresent() && newest.get().epoch() > epoch) {
            return Optional.of(new Refusal(RefusalReason.STALE_EPOCH, "stale: placement epoch " + newest.get().epoch()
                    + " of " + guest + " (on " + newest.get().host() + ") is newer than the command's epoch " + epoch, null));
        }
        return Optional.empty();
    }

    /**
     * Rules 1 and 2: the start of {@code guest} as placement {@code epoch}, against the newest
     * placement of the guest as last published ({@code newest}, empty if none is known).
     */
    public Optional<Refusal> placement(String guest, long epoch, Optional<GuestPlacement> newest) {
        Optional<Refusal> stale = stale(guest, epoch, newest);
        if (stale.isPresent()) {
            return stale;
        }
        Optional<GuestPlacement> placed = newest.filter(p -> p.epoch() == epoch);
        if (placed.isPresent() && !(host.equals(placed.get().host()) && STARTABLE.contains(placed.get().phase()))) {
            return Optional.of(new Refusal(RefusalReason.NOT_STARTABLE_HERE, "placement epoch " + epoch + " of " + guest
                    + " is " + placed.get().phase() + " on " + placed.get().host() + ", not starting here", null));
        }
        return Optional.empty();
    }

    /**
     * Rules 4 and 5, for a guest that does not run on this host: {@code cannotVouch} is why the
     * fleet watch cannot check the guest, if it cannot; {@code liveBeats} the latest live beat of
     * each host, host to the guests it listed (this host's own is ignored).
     */
    public Optional<Refusal> secondRunner(String guest, Optional<String> cannotVouch,
                                          Map<String, ? extends Collection<String>> liveBeats) {
        if (cannotVouch.isPresent()) {
            return Optional.of(new Refusal(RefusalReason.CANNOT_RULE_OUT_SECOND_RUNNER, cannotVouch.get(), null));
        }
        return runsElsewhere(guest, host, liveBeats).map(other -> new Refusal(RefusalReason.RUNS_ELSEWHERE, guest
                + " still runs on " + other + " (its latest heartbeat lists it); starting it here would make a second runner",
                other));
    }

    /**
     * All rules at once, for a caller that already knows whether the guest runs here: empty to start
     * it (or, if {@code runsHere}, to report it started).
     */
    public Optional<Refusal> judge(String guest, long epoch, Optional<GuestPlacement> newest, boolean runsHere,
                                   Optional<String> cannotVouch, Map<String, ? extends Collection<String>> liveBeats) {
        Optional<Refusal> refusal = placement(guest, epoch, newest);
        if (refusal.isPresent() || runsHere) {
            return refusal;
        }
        return secondRunner(guest, cannotVouch, liveBeats);
    }

    /**
     * The first host, in name order, other than {@code self} whose beat in {@code liveBeats} lists
     * {@code guest}.
     */
    public static Optional<String> runsElsewhere(String guest, String self, Map<String, ? extends Collection<String>> liveBeats) {
        return new TreeMap<>(liveBeats).entrySet().stream()
                .filter(e -> !e.getKey().equals(self))
                .filter(e -> e.getValue().contains(guest))
                .map(Map.Entry::getKey).findFirst();
    }
}
