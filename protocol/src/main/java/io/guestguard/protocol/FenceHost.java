package io.guestguard.protocol;

/**
 * Fence a lost host: a surviving host runs the fence hook (IPMI, Redfish, a script) against
 * {@code lostHost} and reports {@code host.fenced} when nothing can run there any more.
 *
 * @param host the surviving host that runs the fence hook
 * @param lostHost the host to fence
 * @param decisionId the decision that issued this command
 */
public record FenceHost(String host, String lostHost, String decisionId) implements HostCommand {

    /** None: a fence is about a host; the guest it is done for is the event's {@code guestid}. */
    @Override
    public String guest() {
        return null;
    }

    @Override
    public CommandKind kind() {
        return CommandKind.FENCE_HOST;
    }

    @Override
    public <R> R accept(HostCommand.Visitor<R> visitor) {
        return visitor.fenceHost(this);
    }
}
