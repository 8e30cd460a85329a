package io.guestguard.policy.engine.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.trust.SigningKey;
import io.guestguard.protocol.trust.Verifiability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/** Records whose signature names a registered key but was made by another: only verifying the signature refuses them. */
final class Impostor {

    private Impostor() {
    }

    /** {@code signed} (signed by an unregistered key) with its envelope naming {@code victim}'s key id instead. */
    static byte[] asKeyOf(SigningKey victim, byte[] signed, EventCodec codec) {
        try {
            ObjectMapper mapper = codec.mapper();
            ObjectNode event = (ObjectNode) mapper.readTree(signed);
            ObjectNode envelope = (ObjectNode) mapper.readTree(Base64.getDecoder().decode(event.get(Verifiability.MATERIAL).asText()));
            ((ObjectNode) envelope.get("signatures").get(0)).put("keyid", victim.keyId());
            event.put(Verifiability.MATERIAL, Base64.getEncoder().encodeToString(mapper.writeValueAsBytes(envelope)));
            return mapper.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
