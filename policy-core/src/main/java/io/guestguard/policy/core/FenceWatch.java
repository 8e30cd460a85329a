package io.guestguard.policy.core;

/**
 * The fence a {@code FENCING} placement waits for: how many times it was asked, and when the
 * decider asks again (or, after the last attempt, gives up and alerts).
 *
 * @param attempts fence commands sent so far for this placement
 * @param dueMs when to ask again or give up, by the decider's clock; {@code null} once it gave up
 */
public record FenceWatch(int attempts, Long dueMs) {
}
