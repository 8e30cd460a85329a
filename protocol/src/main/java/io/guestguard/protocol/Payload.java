package io.guestguard.protocol;

/**
 * The {@code data} of a GuestGuard CloudEvent. Each payload type has exactly one {@link EventType}
 * (its CloudEvents {@code type} and JSON Schema); the sealed hierarchy lets consumers dispatch on the
 * type system instead of on type strings.
 */
public sealed interface Payload permits Fact, Command, Decision, Heartbeat, HostLeaving, DetectorTick, GuestPlacement, KeyRecord {
}
