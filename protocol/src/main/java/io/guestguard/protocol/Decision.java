package io.guestguard.protocol;

import java.util.List;
import java.util.Map;

/**
 * The audit record of one decision on {@code decisions.v1}: what was decided, why (a typed code and
 * a sentence), which facts caused it, which commands it issued, and the fleet values it used. A
 * replay of the log must reproduce it exactly.
 *
 * @param action what was decided
 * @param app the application concerned, or {@code null} for a decision about the whole guest
 * @param attempt the attempt this decision makes (or would have made): a restart's, or a fence's when
 *                it is asked again; or {@code null}
 * @param limit the limit of those attempts in force, or {@code null} (unlimited, or not about attempts)
 * @param delayMs the backoff before a restart, or {@code null}
 * @param fromHost the host the guest leaves or runs on, or {@code null}
 * @param toHost the host the guest goes to, or {@code null}
 * @param epoch the placement epoch the decision acts on or creates, or {@code null}
 * @param reason why, as a code and a readable sentence
 * @param causeIds ids of the facts that caused this decision
 * @param commandIds ids of the commands this decision issued
 * @param hostLoads guests per host as the decider saw them when choosing a host, or empty
 * @param factTime the causing fact's own {@code time}, as its writer's clock stamped it, shown next to the
 *                 decision's time (the decision time: the broker's time of the fact's record, which is
 *                 what the decider's clock runs on); {@code null} in a decision recorded before it was kept
 */
public record Decision(Action action, String app, Integer attempt, Integer limit, Long delayMs, String fromHost,
                       String toHost, Long epoch, Reason reason, List<String> causeIds, List<String> commandIds,
                       Map<String, Integer> hostLoads, java.time.Instant factTime) implements Payload {

    /** A decision that does not record its fact's own time (tests and tools that build one by hand). */
    public Decision(Action action, String app, Integer attempt, Integer limit, Long delayMs, String fromHost,
                    String toHost, Long epoch, Reason reason, List<String> causeIds, List<String> commandIds,
                    Map<String, Integer> hostLoads) {
        this(action, app, attempt, limit, delayMs, fromHost, toHost, epoch, reason, causeIds, commandIds, hostLoads, null);
    }

    public Decision {
        causeIds = List.copyOf(causeIds);
        commandIds = List.copyOf(commandIds);
        // Sorted, so the audit record reads (and serialises) the same in every JVM.
        hostLoads = hostLoads == null || hostLoads.isEmpty() ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(hostLoads));
    }

    /** What a decision does. */
    public enum Action {
        /** Restart the application in place. */
        RESTART_APP,
        /** Stop one application, which stays stopped until started (an operator asked). */
        STOP_APP,
        /** Start one application an operator stopped (an operator asked). */
        START_APP,
        /** Halt the guest on its host so that it can start elsewhere. */
        FAILOVER,
        /** Halt the guest so that it can return to a more preferred host. */
        FAILBACK,
        /** Halt the guest so that it can move where an operator asked. */
        MOVE,
        /** Live-migrate the running guest to another host (an operator asked); its budgets go with it. */
        MIGRATE,
        /** Start the guest on a host. */
        START_GUEST,
        /** Halt the guest (an operator asked). */
        HALT_GUEST,
        /** Fence a lost host before the guest starts elsewhere. */
        FENCE_HOST,
        /** Would have acted, but maintenance or disabled switching holds it back. */
        HOLD,
        /** Nothing can be done (e.g. no eligible host): a person must look. */
        ALERT,
        /** Nothing to do; the reason says why (e.g. a restart limit used up with failover impossible). */
        NONE
    }

    /**
     * A typed reason with a readable sentence.
     *
     * @param code the machine-readable reason
     * @param text a sentence for people
     */
    public record Reason(String code, String text) {
        public Reason {
            text = FreeText.clean(text); // it quotes what facts said (an exit reason, a refusal)
        }
    }
}
