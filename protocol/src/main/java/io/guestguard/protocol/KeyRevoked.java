package io.guestguard.protocol;

/**
 * A key no longer trusted: every record it signed is refused from now on.
 *
 * @param keyId  the revoked key's id
 * @param reason why, for the key listing and the dead letters
 */
public record KeyRevoked(String keyId, String reason) implements KeyRecord {
}
