package io.guestguard.protocol;

/**
 * A lost host was fenced (powered off through IPMI/Redfish or equal): nothing runs there any more.
 *
 * @param host the fenced host
 */
public record HostFenced(String host) implements Fact {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.hostFenced(this);
    }

    @Override
    public String describe() {
        return "host " + host + " fenced";
    }
}
