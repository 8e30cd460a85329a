package io.guestguard.protocol;

/**
 * A principal's public key, trusted from now on for what that principal may emit.
 *
 * @param keyId     the key's id, derived from the key
 * @param role      the principal's role: {@code guest}, {@code host}, {@code engine}, {@code detector},
 *                  {@code watcher} or {@code operator}
 * @param name      the principal's name: the guest id, the host name, the operator's or the instance's name
 * @param publicKey the Ed25519 public key, X.509-encoded, in Base64
 */
public record KeyRegistered(String keyId, String role, String name, String publicKey) implements KeyRecord {
}
