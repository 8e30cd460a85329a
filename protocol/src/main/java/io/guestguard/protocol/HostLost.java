package io.guestguard.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The host the guest is placed on stopped beating (written by the heartbeat detector, one fact
 * per guest placed there).
 *
 * @param host the lost host
 * @param afterLeaving {@code true} when its supervisor had said it leaves (a stop on purpose) and the
 *                     host did not beat again within the detach time: the decider then holds the guest
 *                     and alerts rather than fence the host; absent (a crash, a hang) otherwise, and
 *                     in every loss written before leaving existed
 */
public record HostLost(String host, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean afterLeaving) implements Fact {

    /** Only {@code true} is written: a loss without a leaving carries no flag, as before. */
    public HostLost {
        afterLeaving = Boolean.TRUE.equals(afterLeaving) ? Boolean.TRUE : null;
    }

    /** A host that stopped beating without saying it leaves. */
    public HostLost(String host) {
        this(host, null);
    }

    /** Whether the host had said it leaves before it was lost. */
    public boolean leftFirst() {
        return afterLeaving != null;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.hostLost(this);
    }

    @Override
    public String describe() {
        return "host " + host + " lost" + (leftFirst() ? " (it left and did not come back within its detach time)" : "");
    }
}
