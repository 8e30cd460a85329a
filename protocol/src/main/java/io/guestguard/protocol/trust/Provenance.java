package io.guestguard.protocol.trust;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.RejectedRecordException;

/**
 * The one check every consumer applies to a record before anything else acts on it: whose key
 * signed it ({@link Verifiability}, against the {@link KeyRing}), and whether that principal may
 * emit this event about this subject ({@link Authorization}). A record that fails is rejected with
 * the reason its dead letter carries: {@code unsigned}, {@code unknown key K},
 * {@code revoked key K of guest g1}, {@code bad signature: ...}, {@code not authorized: ...}.
 */
public final class Provenance {

    private final KeyRing keys;

    public Provenance(KeyRing keys) {
        this.keys = keys;
    }

    /**
     * The principal that signed {@code event}, whose JSON form as read is {@code json}.
     *
     * @throws RejectedRecordException with the reason, when the signature or the authorization fails
     */
    public Principal check(JsonNode json, CloudEvent<?> event) {
        Verifiability.Claim claim = Verifiability.claim(json);
        KeyRing.Entry entry = keys.find(claim.keyId())
                .orElseThrow(() -> new RejectedRecordException("unknown key " + quoteKey(claim.keyId())));
        if (entry.revoked()) {
            throw new RejectedRecordException("revoked key " + entry.keyId() + " of " + entry.principal()
                    + " (revoked at " + entry.revokedAt() + ")");
        }
        if (!SigningKey.verify(entry.key(), claim.message(), claim.sig())) {
            throw new RejectedRecordException("bad signature: not made by key " + entry.keyId() + " of " + entry.principal());
        }
        Authorization.check(entry.principal(), event);
        return entry.principal();
    }

    private static String quoteKey(String keyId) {
        return keyId.matches("[0-9a-f]{1,64}") ? keyId : "'" + keyId.replaceAll("[^0-9A-Za-z_-]", "?")
                .substring(0, Math.min(64, keyId.length())) + "'";
    }
}
