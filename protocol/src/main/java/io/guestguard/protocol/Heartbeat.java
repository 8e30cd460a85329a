package io.guestguard.protocol;

import java.util.List;

/**
 * A liveness beat on {@code heartbeats.v1}, from a guest reporter (keyed by guest) or a host
 * supervisor (keyed by host).
 *
 * @param role who beats: {@code guest} or {@code host}
 * @param id the guest id or host id
 * @param guests for a host, the guests it runs; empty for a guest
 */
public record Heartbeat(String role, String id, List<String> guests) implements Payload {
    public Heartbeat {
        guests = List.copyOf(guests);
    }
}
