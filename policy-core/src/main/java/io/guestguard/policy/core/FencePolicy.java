package io.guestguard.policy.core;

import io.guestguard.protocol.Decision.Action;
import io.guestguard.protocol.FenceHost;
import io.guestguard.protocol.GuestHaltFailed;
import io.guestguard.protocol.PlacementPhase;

import java.util.Optional;

/**
 * Fencing (part of step 2 of the {@link Decider}'s algorithm): a host that would not halt the guest is
 * fenced, through a surviving host; a fence that is not confirmed is asked again after
 * {@value #FENCE_RETRY_MS} ms and twice that more (from a surviving host chosen anew), then alerted, up
 * to {@value #FENCE_ATTEMPTS} fences in all. Time reaches it through {@code deadline.reached} facts,
 * which the engine writes when the state's due time ({@link GuestState#dueAtMs()}) has come. The guest
 * keeps waiting after the alert, since it must not start while its old host may still run it.
 */
final class FencePolicy {

    /** Fences asked at most for one placement before the decider alerts instead. */
    static final int FENCE_ATTEMPTS = 3;
    /** The wait after the first fence before it is asked again; it doubles after each further one. */
    static final long FENCE_RETRY_MS = 60_000;

    /** How long to wait for a fence asked {@code attempts} times (none could be asked: the first wait). */
    static long fenceDelayMs(int attempts) {
        return FENCE_RETRY_MS << Math.max(0, attempts - 1);
    }

    /** The guest's host would not halt it: fence that host, then start the guest where it was going. */
    void haltFailed(Turn t, GuestHaltFailed failed) {
        Placement p = t.placement();
        if (p.phase() != PlacementPhase.HALTING || !failed.host().equals(p.host()) || !t.sameEpoch()) {
            return;
        }
        String to = p.nextHost();
        Optional<String> executor = executor(t, failed.host(), to);
        t.place(p.fencing(p.nextHost(), p.motive()));
        if (executor.isEmpty()) {
            await(t, 0);
            t.decide(Action.ALERT, DecisionReason.NO_ELIGIBLE_HOST.toReason(t.guest(), failed.host(),
                            "no surviving host can fence it"))
                    .from(failed.host()).to(to).epoch(p.epoch()).record();
            return;
        }
        await(t, 1);
        t.decide(Action.FENCE_HOST, DecisionReason.HALT_FAILED_FENCE.toReason(t.guest(), failed.host(), failed.reason(),
                        failed.host(), executor.get(), to == null ? "another host" : to))
                .from(failed.host()).to(to).epoch(p.epoch())
                .command("fence", decision -> new FenceHost(executor.get(), failed.host(), decision)).record();
    }

    /**
     * Time has passed: a fence that is still not confirmed when due is asked again (from a surviving
     * host chosen anew), up to {@value #FENCE_ATTEMPTS} times; then an alert, and the guest keeps
     * waiting, since it must not start while its old host may run it. Only {@code deadline.reached}
     * does this, so that every decision has the fact it is about as its cause (a refusal, say, never
     * also fences).
     */
    void fenceIfDue(Turn t) {
        Placement p = t.placement();
        FenceWatch watch = t.state().fence();
        if (p.phase() != PlacementPhase.FENCING || watch == null || watch.dueMs() == null || t.state().clockMs() < watch.dueMs()) {
            return;
        }
        if (watch.attempts() >= FENCE_ATTEMPTS) {
            t.state(t.state().awaitingFence(new FenceWatch(watch.attempts(), null)));
            t.decide(Action.ALERT, DecisionReason.FENCE_UNCONFIRMED.toReason(p.host(), watch.attempts(), t.guest(), p.host()))
                    .attempt(watch.attempts()).limit(FENCE_ATTEMPTS).from(p.host()).to(p.nextHost()).epoch(p.epoch())
                    .record();
            return;
        }
        int attempt = watch.attempts() + 1;
        long waited = fenceDelayMs(watch.attempts()) / 1000;
        await(t, attempt);
        Optional<String> executor = executor(t, p.host(), p.nextHost());
        if (executor.isEmpty()) {
            return; // still no surviving host to fence from; the alert said so when the fence was needed
        }
        t.decide(Action.FENCE_HOST, DecisionReason.FENCE_RETRY.toReason(p.host(), t.guest(), waited, executor.get(),
                        attempt, FENCE_ATTEMPTS))
                .attempt(attempt).limit(FENCE_ATTEMPTS).from(p.host()).to(p.nextHost()).epoch(p.epoch())
                .command("fence", decision -> new FenceHost(executor.get(), p.host(), decision)).record();
    }

    /** The guest waits for a fence asked {@code attempts} times so far; it is asked again when due. */
    void await(Turn t, int attempts) {
        t.state(t.state().awaitingFence(new FenceWatch(attempts, t.state().clockMs() + fenceDelayMs(attempts))));
    }

    /** A surviving host to run the fence hook: the target if there is one, else the first listed host not lost. */
    Optional<String> executor(Turn t, String lostHost, String target) {
        KnownHosts known = t.state().hosts();
        if (target != null && !known.isLost(target)) { // the planned target may be lost since
            return Optional.of(target);
        }
        return t.state().spec() == null ? Optional.empty() : t.state().spec().hosts().stream()
                .filter(h -> !h.equals(lostHost) && !known.isLost(h)).findFirst();
    }
}
