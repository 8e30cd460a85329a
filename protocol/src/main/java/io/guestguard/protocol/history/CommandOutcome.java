package io.guestguard.protocol.history;

import io.guestguard.protocol.AppStarted;
import io.guestguard.protocol.AppStopped;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.CommandRefused;
import io.guestguard.protocol.Decision;
import io.guestguard.protocol.Fact;
import io.guestguard.protocol.GuestHalted;
import io.guestguard.protocol.GuestStarted;
import io.guestguard.protocol.HostFenced;
import io.guestguard.protocol.MigrationCompleted;
import io.guestguard.protocol.MigrationFailed;
import io.guestguard.protocol.Rebound;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What became of a command, as the guest's log shows it: its receiver refused it ({@link CommandRefused}),
 * a later fact shows it carried out (the application or guest started, halted, a host fenced, a
 * migration ended), the receiver answered it (a rebind's {@link Rebound}), or nothing yet. Worked out
 * from facts alone, so {@code guestguard why} and the console's guest history say the same.
 *
 * @param kind what became of it
 * @param fact the fact that says so, or {@code null} when {@link Kind#PENDING}
 */
public record CommandOutcome(Kind kind, LoggedEvent fact) {

    /** What became of a command. */
    public enum Kind {
        /** Its receiver did not carry it out: {@link #fact} is the {@link CommandRefused}. */
        REFUSED,
        /** A later fact shows it carried out: {@link #fact}. */
        APPLIED,
        /** Its receiver answered it (a rebind's {@link Rebound}): {@link #fact}. */
        ACKNOWLEDGED,
        /** No fact on the log says anything of it yet. */
        PENDING
    }

    private static final CommandOutcome PENDING = new CommandOutcome(Kind.PENDING, null);

    /**
     * What became of {@code command}, sent by {@code decision}: refused, or the first later fact that
     * shows it carried out. Later means after the decision's time, or at the same time but not one of its
     * causes (facts read in one broker millisecond share it).
     *
     * @param facts the guest's facts in log order
     */
    public static CommandOutcome of(CloudEvent<Decision> decision, String command, List<LoggedEvent> facts) {
        Decision d = decision.data();
        List<LoggedEvent> after = facts.stream().filter(f -> f.decisionTime().isAfter(decision.time())
                || f.decisionTime().equals(decision.time()) && !d.causeIds().contains(f.event().id())).toList();
        Optional<LoggedEvent> refused = refusal(command, after);
        if (refused.isPresent()) {
            return new CommandOutcome(Kind.REFUSED, refused.get());
        }
        Predicate<Object> shows = switch (d.action()) {
            case RESTART_APP, START_APP -> data -> data instanceof AppStarted s && s.app().equals(d.app());
            case STOP_APP -> data -> data instanceof AppStopped s && s.app().equals(d.app());
            case START_GUEST -> data -> data instanceof GuestStarted s && s.host().equals(d.toHost());
            case HALT_GUEST, MOVE, FAILOVER, FAILBACK -> data -> data instanceof GuestHalted h && h.host().equals(d.fromHost());
            case MIGRATE -> data -> data instanceof MigrationCompleted || data instanceof MigrationFailed;
            case FENCE_HOST -> data -> data instanceof HostFenced f && f.host().equals(d.fromHost());
            default -> data -> false;
        };
        return after.stream().filter(f -> shows.test(f.event().data())).findFirst()
                .map(f -> new CommandOutcome(Kind.APPLIED, f)).orElse(PENDING);
    }

    /**
     * What became of a rebind sent at {@code sentAt}, which no decision sent (the migration watcher
     * did): the reporter's {@link Rebound} naming it, or nothing yet.
     */
    public static CommandOutcome ofRebind(String rebind, Instant sentAt, List<LoggedEvent> facts) {
        return facts.stream().filter(f -> !f.decisionTime().isBefore(sentAt)
                        && f.event().data() instanceof Rebound r && rebind.equals(r.rebindId())).findFirst()
                .map(f -> new CommandOutcome(Kind.ACKNOWLEDGED, f)).orElse(PENDING);
    }

    private static Optional<LoggedEvent> refusal(String command, List<LoggedEvent> after) {
        return after.stream().filter(f -> f.event().data() instanceof CommandRefused r && command.equals(r.commandId())).findFirst();
    }

    /** The fact's own words ({@link Fact#describe()}), or {@code null} when {@link Kind#PENDING}. */
    public String describe() {
        return fact == null ? null : ((Fact) fact.event().data()).describe();
    }

    /** {@code refused}, {@code applied}, {@code acknowledged} or {@code pending}: for pages' classes and texts. */
    public String name() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
