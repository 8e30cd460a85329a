package io.guestguard.protocol.trust;

import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;

import java.util.Optional;

/**
 * How a service writes its events: signed with its principal's key, or, where signing is off (a
 * fleet that has not turned it on yet), as plain events that a gate with provenance refuses.
 */
public final class Signer {

    private final EventCodec codec;
    private final SigningKey key;

    private Signer(EventCodec codec, SigningKey key) {
        this.codec = codec;
        this.key = key;
    }

    public static Signer unsigned(EventCodec codec) {
        return new Signer(codec, null);
    }

    public static Signer with(EventCodec codec, SigningKey key) {
        return new Signer(codec, key);
    }

    /** The event's record value: signed, if this signer has a key. */
    public byte[] encode(CloudEvent<?> event) {
        return key == null ? codec.encode(event) : codec.encode(event, key);
    }

    public Optional<Principal> principal() {
        return Optional.ofNullable(key).map(SigningKey::principal);
    }
}
