package io.guestguard.protocol.trust;

import com.fasterxml.jackson.databind.JsonNode;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.RejectedRecordException;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one check every consumer applies to a record before anything else acts on it: whose key
 * signed it ({@link Verifiability}, against the {@link KeyRing}), and whether that principal may
 * emit this event about this subject ({@link Authorization}). A record that fails is rejected with
 * the reason its dead letter carries: {@code unsigned}, {@code unknown key K},
 * {@code revoked key K of guest g1}, {@code bad signature: ...}, {@code not authorized: ...}.
 */
public final class Provenance {

    /** The kinds of refusal, each counted. */
    public enum Refusal { UNSIGNED, BAD_SIGNATURE, UNKNOWN_KEY, REVOKED_KEY, NOT_AUTHORIZED }

    private final KeyRing keys;
    private final Map<Refusal, LongAdder> refused = new EnumMap<>(Refusal.class);

    public Provenance(KeyRing keys) {
        this.keys = keys;
        for (Refusal refusal : Refusal.values()) {
            refused.put(refusal, new LongAdder());
        }
    }

    /** How many records were refused, by kind, since this check was made. */
    public Map<Refusal, Long> refusals() {
        Map<Refusal, Long> counts = new EnumMap<>(Refusal.class);
        refused.forEach((refusal, count) -> counts.put(refusal, count.sum()));
        return counts;
    }

    /** How many keys were revoked so far ({@link KeyRing#revocations}). */
    public long revocations() {
        return keys.revocations();
    }

    /**
     * The principal that signed {@code event}, whose JSON form as read is {@code json}.
     *
     * @throws RejectedRecordException with the reason, when the signature or the authorization fails
     */
    public Principal check(JsonNode json, CloudEvent<?> event) {
        try {
            return checked(json, event);
        } catch (RejectedRecordException e) {
            refused.get(kind(e.getMessage())).increment();
            throw e;
        }
    }

    /**
     * Checks that the key which signed {@code json} is still registered and not revoked, without checking
     * the signature again: for a record this provenance accepted before and that was kept where only
     * accepted records are kept (the engine's placements view).
     *
     * @throws RejectedRecordException {@code unsigned}, {@code unknown key} or {@code revoked key}, counted
     */
    public void checkSignerStillTrusted(JsonNode json) {
        try {
            trustedEntry(Verifiability.keyId(json));
        } catch (RejectedRecordException e) {
            refused.get(kind(e.getMessage())).increment();
            throw e;
        }
    }

    /**
     * Refuses, and counts, a host's report about a guest the host may not hold
     * ({@link Authorization#checkHostOfGuest}).
     */
    public void checkHostOfGuest(CloudEvent<?> event, Set<String> hostsOfGuest) {
        try {
            Authorization.checkHostOfGuest(event, hostsOfGuest);
        } catch (RejectedRecordException e) {
            refused.get(Refusal.NOT_AUTHORIZED).increment();
            throw e;
        }
    }

    private static Refusal kind(String reason) {
        if (reason.startsWith("unsigned")) {
            return Refusal.UNSIGNED;
        } else if (reason.startsWith("unknown key")) {
            return Refusal.UNKNOWN_KEY;
        } else if (reason.startsWith("revoked key")) {
            return Refusal.REVOKED_KEY;
        } else if (reason.startsWith("not authorized")) {
            return Refusal.NOT_AUTHORIZED;
        }
        return Refusal.BAD_SIGNATURE;
    }

    private Principal checked(JsonNode json, CloudEvent<?> event) {
        Verifiability.Claim claim = Verifiability.claim(json);
        KeyRing.Entry entry = trustedEntry(claim.keyId());
        if (!entry.verifier().verify(claim.message(), claim.sig())) {
            throw new RejectedRecordException("bad signature: not made by key " + entry.keyId() + " of " + entry.principal());
        }
        Authorization.check(entry.principal(), event);
        return entry.principal();
    }

    /** The registered, unrevoked key {@code keyId}. */
    private KeyRing.Entry trustedEntry(String keyId) {
        KeyRing.Entry entry = keys.find(keyId)
                .orElseThrow(() -> new RejectedRecordException("unknown key " + quoteKey(keyId)));
        if (entry.revoked()) {
            throw new RejectedRecordException("revoked key " + entry.keyId() + " of " + entry.principal()
                    + " (revoked at " + entry.revokedAt() + ")");
        }
        return entry;
    }

    private static String quoteKey(String keyId) {
        return keyId.matches("[0-9a-f]{1,64}") ? keyId : "'" + keyId.replaceAll("[^0-9A-Za-z_-]", "?")
                .substring(0, Math.min(64, keyId.length())) + "'";
    }
}
