package io.guestguard.protocol.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.protocol.RejectedRecordException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The CloudEvents verifiability extension (a DSSE envelope in {@code dssematerial}, the signed
 * extension attributes named in {@code signedextattrs}), as GuestGuard applies it to an event's
 * structured JSON form. Two choices go beyond the extension, where it leaves room:
 * <ul>
 *   <li>every GuestGuard extension attribute the event carries ({@code guestid}, {@code guestseq},
 *       {@code hostid}, {@code epoch}, {@code traceparent}) must be signed, in that order: the extension
 *       lets a producer leave extension attributes unsigned, but the first four decide what a record is
 *       about, and a trace that anyone could rewrite would link a decision to the wrong cause. An event
 *       without a trace lists none, so one signed before traces existed verifies as it did;</li>
 *   <li>the {@code data} digest is over the data's canonical JSON (object members sorted by name, no
 *       white space, Jackson's number and string forms), not over whatever bytes carried it, so an
 *       intermediary that re-serializes the JSON keeps the event verifiable.</li>
 * </ul>
 * Pure: no keys are looked up here (that is {@link Provenance}'s part).
 */
public final class Verifiability {

    public static final String MATERIAL = "dssematerial";
    public static final String SIGNED_EXTENSIONS = "signedextattrs";
    public static final String PAYLOAD_TYPE = "https://cloudevents.io/verifiability/dsse/v0.1";
    /** GuestGuard's extension attributes, in the order they are signed. */
    public static final List<String> EXTENSIONS = List.of("guestid", "guestseq", "hostid", "epoch", "traceparent");
    /** A dssematerial longer than this is not one of ours (one Ed25519 signature is a few hundred bytes). */
    static final int MAX_MATERIAL_CHARS = 2048;

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();
    private static final byte[] EMPTY_DIGEST = sha256(new byte[0]);

    private Verifiability() {
    }

    /** Signs {@code event} (a GuestGuard event's JSON form) in place with {@code key}. */
    public static ObjectNode sign(ObjectNode event, SigningKey key) {
        event.remove(MATERIAL);
        List<String> extensions = EXTENSIONS.stream().filter(event::hasNonNull).toList();
        if (extensions.isEmpty()) {
            event.remove(SIGNED_EXTENSIONS);
        } else {
            event.put(SIGNED_EXTENSIONS, String.join(",", extensions));
        }
        byte[] material = material(event, extensions);
        ObjectNode envelope = CANONICAL.createObjectNode();
        envelope.put("payload", Base64.getEncoder().encodeToString(material));
        envelope.put("payloadType", PAYLOAD_TYPE);
        ArrayNode signatures = envelope.putArray("signatures");
        signatures.addObject()
                .put("keyid", key.keyId())
                .put("sig", Base64.getEncoder().encodeToString(key.sign(pae(PAYLOAD_TYPE, material))));
        event.put(MATERIAL, Base64.getEncoder().encodeToString(write(envelope)));
        return event;
    }

    /**
     * What an event's {@code dssematerial} claims, once checked against the event itself: the key id
     * and the signature over the material. The signature is not checked here; {@link Provenance} does,
     * with the key it finds.
     *
     * @throws RejectedRecordException {@code unsigned}, or why the material cannot be what was signed
     */
    public static Claim claim(JsonNode event) {
        JsonNode envelope = envelope(event);
        JsonNode signatures = envelope.path("signatures");
        String keyId = signatures.get(0).path("keyid").asText();
        byte[] payload;
        byte[] sig;
        try {
            payload = Base64.getDecoder().decode(envelope.path("payload").asText());
            sig = Base64.getDecoder().decode(signatures.get(0).path("sig").asText());
        } catch (IllegalArgumentException e) {
            throw new RejectedRecordException("bad signature: the envelope's payload or sig is not Base64");
        }
        if (payload.length != 32) {
            throw new RejectedRecordException("bad signature: the envelope's payload is not a 32-byte digest");
        }
        if (!MessageDigest.isEqual(payload, material(event, signedExtensions(event)))) {
            throw new RejectedRecordException("bad signature: the event is not the one that was signed");
        }
        return new Claim(keyId, pae(PAYLOAD_TYPE, payload), sig);
    }

    /**
     * The key id an event's {@code dssematerial} names, nothing checked against the event: for an event
     * whose claim was checked when it was accepted and that was kept as it was ({@link Provenance#checkSignerStillTrusted}).
     *
     * @throws RejectedRecordException {@code unsigned}, or why the material is no envelope
     */
    public static String keyId(JsonNode event) {
        return envelope(event).path("signatures").get(0).path("keyid").asText();
    }

    /** The DSSE envelope of {@code event}'s material, with exactly one signature. */
    private static JsonNode envelope(JsonNode event) {
        JsonNode material = event.get(MATERIAL);
        if (material == null || material.isNull() || material.asText().isEmpty()) {
            throw new RejectedRecordException("unsigned: the event has no " + MATERIAL);
        }
        if (!material.isTextual() || material.asText().length() > MAX_MATERIAL_CHARS) {
            throw new RejectedRecordException("bad signature: " + MATERIAL + " is not a Base64 DSSE envelope of at most "
                    + MAX_MATERIAL_CHARS + " characters");
        }
        JsonNode envelope;
        try {
            envelope = CANONICAL.readTree(Base64.getDecoder().decode(material.asText()));
        } catch (IllegalArgumentException | IOException e) {
            throw new RejectedRecordException("bad signature: " + MATERIAL + " is not a Base64 DSSE JSON envelope");
        }
        if (envelope == null || !PAYLOAD_TYPE.equals(envelope.path("payloadType").asText())) {
            throw new RejectedRecordException("bad signature: the envelope's payloadType is not " + PAYLOAD_TYPE);
        }
        JsonNode signatures = envelope.path("signatures");
        if (!signatures.isArray() || signatures.size() != 1) {
            throw new RejectedRecordException("bad signature: a GuestGuard event carries exactly one signature");
        }
        return envelope;
    }

    /**
     * @param keyId   the signer's key id, as the envelope names it
     * @param message what the signature is over: the DSSE pre-authentication encoding of the material
     * @param sig     the signature
     */
    public record Claim(String keyId, byte[] message, byte[] sig) {
    }

    /** The signed extension names, checked: exactly the GuestGuard extensions the event carries, in order. */
    private static List<String> signedExtensions(JsonNode event) {
        JsonNode listed = event.get(SIGNED_EXTENSIONS);
        List<String> names = listed == null || listed.isNull() || listed.asText().isEmpty() ? List.of()
                : List.of(listed.asText().split(",", -1));
        List<String> carried = EXTENSIONS.stream().filter(event::hasNonNull).toList();
        if (!names.equals(carried)) {
            throw new RejectedRecordException("bad signature: " + SIGNED_EXTENSIONS + " must list the extensions the event carries ("
                    + String.join(",", carried) + "), not '" + String.join(",", names) + "'");
        }
        return names;
    }

    /** The extension's verification material: the digest of the attributes', data's and extensions' digests. */
    static byte[] material(JsonNode event, List<String> extensions) {
        List<byte[]> digests = new ArrayList<>();
        for (String attribute : List.of("id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject")) {
            digests.add(digestOfText(event.get(attribute)));
        }
        JsonNode time = event.get("time");
        digests.add(time == null || time.isNull() ? EMPTY_DIGEST : sha256(utf8(zulu(time.asText()))));
        JsonNode data = event.get("data");
        digests.add(data == null || data.isNull() ? EMPTY_DIGEST : sha256(write(data)));
        for (String name : extensions) {
            digests.add(sha256(utf8(name)));
            digests.add(digestOfText(event.get(name)));
        }
        MessageDigest all = sha256();
        digests.forEach(all::update);
        return all.digest();
    }

    /** DSSE's pre-authentication encoding: what is actually signed. */
    static byte[] pae(String type, byte[] body) {
        byte[] head = utf8("DSSEv1 " + utf8(type).length + " " + type + " " + body.length + " ");
        byte[] message = new byte[head.length + body.length];
        System.arraycopy(head, 0, message, 0, head.length);
        System.arraycopy(body, 0, message, head.length, body.length);
        return message;
    }

    /** RFC 3339 in UTC ("Zulu"), as the extension normalizes time; unparsable text is digested as it is. */
    private static String zulu(String time) {
        try {
            return OffsetDateTime.parse(time).toInstant().toString();
        } catch (RuntimeException e) {
            return time; // the codec refuses such a time anyway
        }
    }

    private static byte[] digestOfText(JsonNode value) {
        return value == null || value.isNull() ? EMPTY_DIGEST : sha256(utf8(value.asText()));
    }

    private static byte[] write(JsonNode node) {
        try {
            return CANONICAL.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
