package io.guestguard.protocol.trust;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.KeyRecord;
import io.guestguard.protocol.KeyRegistered;
import io.guestguard.protocol.KeyRevoked;
import io.guestguard.protocol.RejectedRecordException;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The public keys a consumer trusts, each with the principal it speaks for, and the revoked ones.
 * Filled from the keys topic (each registration and revocation signed by an operator) and read by
 * every consumer's {@link Provenance}; thread-safe, since the topic is read beside the consumers.
 */
public final class KeyRing {

    /**
     * @param verifier  the key, converted once for checking its records
     * @param revokedAt when an operator revoked the key, or {@code null}: from then on its records are
     *                  refused, those still read from before included
     */
    public record Entry(String keyId, Principal principal, SigningKey.Verifier verifier, Instant registeredAt, Instant revokedAt) {
        public PublicKey key() {
            return verifier.key();
        }

        public boolean revoked() {
            return revokedAt != null;
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong revocations = new AtomicLong();

    /** Trusts {@code key} for {@code principal}; a key revoked before stays revoked. */
    public Entry register(Principal principal, PublicKey key, Instant at) {
        String keyId = SigningKey.keyId(key);
        return entries.compute(keyId, (id, known) -> known != null && known.revoked() ? known
                : new Entry(id, principal, SigningKey.Verifier.of(key), at, null));
    }

    /** Registers the public half of {@code key}. */
    public Entry register(SigningKey key, Instant at) {
        return register(key.principal(), key.publicKey(), at);
    }

    /** Revokes the key {@code keyId}; returns whether it was known. */
    public boolean revoke(String keyId, Instant at) {
        return entries.computeIfPresent(keyId, (id, known) -> {
            if (known.revoked()) {
                return known;
            }
            revocations.incrementAndGet();
            return new Entry(id, known.principal(), known.verifier(), known.registeredAt(), at);
        }) != null;
    }

    /**
     * How many keys were revoked so far: what a cache of records accepted earlier compares to forget
     * them when it changes (a record accepted before its key's revocation is refused after it).
     */
    public long revocations() {
        return revocations.get();
    }

    /**
     * Applies a record of the keys topic, already checked to be the root's ({@link io.guestguard.protocol.RecordGate#keyRecord}).
     *
     * @throws RejectedRecordException when a registration's key id is not its key's, or its key or role is not one
     */
    public void apply(CloudEvent<? extends KeyRecord> event) {
        if (event.data() instanceof KeyRegistered registered) {
            Role role = Role.fromWire(registered.role()).filter(r -> r != Role.ROOT)
                    .orElseThrow(() -> new RejectedRecordException("role '" + registered.role() + "' cannot hold a key"));
            PublicKey key;
            try {
                key = SigningKey.publicKey(Base64.getDecoder().decode(registered.publicKey()));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new RejectedRecordException("publicKey of key " + registered.keyId() + " is not a Base64 X.509 Ed25519 key");
            }
            if (!SigningKey.keyId(key).equals(registered.keyId())) {
                throw new RejectedRecordException("key id " + registered.keyId() + " is not the id of the key it registers ("
                        + SigningKey.keyId(key) + ")");
            }
            register(new Principal(role, registered.name()), key, event.time());
        } else if (event.data() instanceof KeyRevoked revoked) {
            revoke(revoked.keyId(), event.time());
        }
    }

    public Optional<Entry> find(String keyId) {
        return Optional.ofNullable(entries.get(keyId));
    }

    public Collection<Entry> entries() {
        return List.copyOf(entries.values());
    }
}
