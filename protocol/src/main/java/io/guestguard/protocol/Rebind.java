package io.guestguard.protocol;

/**
 * The guest now runs on {@code host} as placement {@code epoch} (after a live migration): the
 * reporter re-establishes its streams, recreating its Kafka clients if they no longer make progress,
 * resends every fact Kafka has not acknowledged, and answers {@link Rebound}.
 *
 * @param host the host the guest runs on now
 * @param epoch the placement epoch there
 * @param decisionId the decision or migration fact that issued this command
 */
public record Rebind(String host, long epoch, String decisionId) implements GuestCommand {
    @Override
    public CommandKind kind() {
        return CommandKind.REBIND;
    }

    @Override
    public <R> R accept(GuestCommand.Visitor<R> visitor) {
        return visitor.rebind(this);
    }
}
