package io.guestguard.protocol;

import java.time.Instant;

/**
 * Time has passed for a guest: something its decider planned by its own clock may be due (a fence
 * that was never confirmed, to ask again). The policy engine writes it to the guest log when, by its
 * wall clock, a guest's state says something is due, so that time reaches the pure decider through the
 * log and a replay sees it too. The decider does not trust its payload: it compares its own deadlines
 * with the fact's decision time (the broker's time of its record), so a forged or early one does
 * nothing.
 *
 * @param dueAt what the engine read as due, by the decider's clock (information for people)
 * @param what what is due, in words
 */
public record DeadlineReached(Instant dueAt, String what) implements Fact {

    public DeadlineReached {
        what = FreeText.clean(what);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.deadlineReached(this);
    }

    @Override
    public String describe() {
        return "deadline reached (" + what + ", due " + dueAt + ")";
    }
}
