package io.guestguard.deploy.sim;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.Decision;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every application failure the simulator injected and what became of it: the failure fact's append
 * time on the broker, when the engine's committed {@code RESTART_APP} decision citing it was read, and
 * the append time of the {@code app.started} that answered its restart command. It also counts budget
 * resets: a restart decision for an application whose attempt number is not above the one before
 * (the failure window is longer than any run, so each failure must count one more).
 */
final class Failures {

    /** One injected failure; times in epoch ms, 0 until they happen. */
    static final class Failure {
        final String guest;
        final String app;
        final String phase;
        volatile long failedAt;
        volatile long decidedSeenAt;
        volatile long appliedAt;

        Failure(String guest, String app, String phase) {
            this.guest = guest;
            this.app = app;
            this.phase = phase;
        }

        boolean decided() {
            return decidedSeenAt > 0;
        }

        boolean applied() {
            return appliedAt > 0;
        }
    }

    private final Map<String, Failure> byFactId = new ConcurrentHashMap<>();
    /** The failure of each guest's application that waits for its restart, by "guest/app". */
    private final Map<String, Failure> pending = new ConcurrentHashMap<>();
    private final Map<String, Integer> lastAttempt = new ConcurrentHashMap<>();
    private final AtomicLong budgetResets = new AtomicLong();
    private final Map<Decision.Action, AtomicLong> decisions = new ConcurrentHashMap<>();

    /** A failure about to be written as fact {@code factId}. */
    Failure failing(String factId, String guest, String app, String phase) {
        Failure failure = new Failure(guest, app, phase);
        byFactId.put(factId, failure);
        pending.put(guest + "/" + app, failure);
        return failure;
    }

    /** The failure of {@code guest}'s {@code app} whose restart is answered now, if one waits. */
    Failure restarted(String guest, String app) {
        return pending.remove(guest + "/" + app);
    }

    /** A committed decision read at {@code readAt} (epoch ms). */
    void decided(CloudEvent<?> event, long readAt) {
        Decision decision = (Decision) event.data();
        decisions.computeIfAbsent(decision.action(), a -> new AtomicLong()).incrementAndGet();
        if (decision.action() != Decision.Action.RESTART_APP) {
            return;
        }
        for (String cause : decision.causeIds()) {
            Failure failure = byFactId.get(cause);
            if (failure != null && failure.decidedSeenAt == 0) {
                failure.decidedSeenAt = readAt;
            }
        }
        Integer before = lastAttempt.put(event.guestId() + "/" + decision.app(), decision.attempt());
        if (before != null && decision.attempt() != null && decision.attempt() <= before) {
            budgetResets.incrementAndGet();
        }
    }

    List<Failure> all() {
        return new ArrayList<>(byFactId.values());
    }

    List<Failure> of(String phase) {
        return all().stream().filter(f -> f.phase.equals(phase)).toList();
    }

    long budgetResets() {
        return budgetResets.get();
    }

    long decisions(Decision.Action action) {
        AtomicLong count = decisions.get(action);
        return count == null ? 0 : count.get();
    }
}
