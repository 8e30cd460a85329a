package io.guestguard.protocol;

/**
 * A record of the compacted keys topic, keyed by {@link #keyId()}: which public key speaks for which
 * principal, or that a key is revoked. Signed by the operator root key, the one key every service is
 * configured with (docs/security.md).
 */
public sealed interface KeyRecord extends Payload permits KeyRegistered, KeyRevoked {

    /** The key's id: derived from the key (io.guestguard.protocol.trust.SigningKey#keyId). */
    String keyId();
}
