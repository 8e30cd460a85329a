package io.guestguard.protocol;

/**
 * A host supervisor's word, on its own partition of {@code host-heartbeats.v1} and signed with its
 * key, that it stops on purpose (SIGTERM: {@code systemctl stop} or {@code restart}) and leaves its
 * guests running. The engine's host-loss detector then counts the host detached, not lost, for its
 * {@code detach-timeout}: a beat after it attaches the host again; no beat by then and the host is
 * lost as any silent host is. A supervisor killed or hung writes nothing, so stays a host loss.
 *
 * @param host the leaving host, the record's key and its signer
 */
public record HostLeaving(String host) implements Payload {
}
