package io.guestguard.protocol.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guestguard.protocol.Names;
import io.guestguard.protocol.files.FieldReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;

/**
 * A principal's key on disk, as {@code guestguard keys create} writes it: a small JSON file with
 * the role, the name, the key id and the Base64 public key, plus, in the private file only
 * ({@code NAME.key}, readable by its owner alone), the PKCS #8 private key. The public file
 * ({@code NAME.pub}) is what an operator registers and what services are given for the root.
 */
public final class KeyFile {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String FIX = "create the key again with: guestguard keys create --role ROLE --name NAME";

    /** What a public key file holds. */
    public record Public(Principal principal, PublicKey key) {
        public String keyId() {
            return SigningKey.keyId(key);
        }
    }

    private KeyFile() {
    }

    /** Writes {@code key}'s private file (owner-only, never over an existing file) and its public file. */
    public static void write(SigningKey key, Path privateFile, Path publicFile) throws IOException {
        ObjectNode json = publicJson(key.principal(), key.publicKey());
        json.put("privateKey", Base64.getEncoder().encodeToString(key.privateKey().getEncoded()));
        if (Files.exists(privateFile)) {
            throw new FileAlreadyExistsException(privateFile + " (a key is never overwritten: remove it or choose another name)");
        }
        Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(privateFile, JSON.writeValueAsBytes(json), StandardOpenOption.TRUNCATE_EXISTING);
        Files.write(publicFile, JSON.writeValueAsBytes(publicJson(key.principal(), key.publicKey())));
    }

    /** The public half as its file holds it. */
    public static ObjectNode publicJson(Principal principal, PublicKey key) {
        ObjectNode json = JSON.createObjectNode();
        json.put("role", principal.role().wire());
        json.put("name", principal.name());
        json.put("keyId", SigningKey.keyId(key));
        json.put("publicKey", Base64.getEncoder().encodeToString(key.getEncoded()));
        return json;
    }

    /**
     * Reads a private key file.
     *
     * @throws IllegalArgumentException naming the file, the field and the fix
     */
    public static SigningKey readPrivate(Path file) {
        FieldReader fields = new FieldReader(file);
        JsonNode json = parse(file);
        Public half = readPublic(file, json, fields, List.of("role", "name", "keyId", "publicKey", "privateKey"));
        byte[] pkcs8 = base64(json, "privateKey", fields);
        fields.problems().stream().findFirst().ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        try {
            SigningKey key = SigningKey.decode(half.principal(), pkcs8, half.key().getEncoded());
            if (!SigningKey.verify(key.publicKey(), new byte[]{1}, key.sign(new byte[]{1}))) {
                throw new IllegalArgumentException(file + ": privateKey: is not the private half of publicKey; " + FIX);
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": privateKey: is not a PKCS #8 Ed25519 key; " + FIX);
        }
    }

    /**
     * Reads a public key file (or the public half of a private one).
     *
     * @throws IllegalArgumentException naming the file, the field and the fix
     */
    public static Public readPublic(Path file) {
        FieldReader fields = new FieldReader(file);
        Public read = readPublic(file, parse(file), fields, List.of("role", "name", "keyId", "publicKey", "privateKey"));
        fields.problems().stream().findFirst().ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return read;
    }

    private static Public readPublic(Path file, JsonNode json, FieldReader fields, List<String> known) {
        fields.unknownFields(json, known, "");
        String roleText = fields.text(json.get("role"), "role", "write one of guest, host, engine, detector, watcher, operator, root");
        Role role = roleText == null ? null : Role.fromWire(roleText).orElse(null);
        if (roleText != null && role == null) {
            fields.problem("role", "'" + roleText + "' is not a role; write one of guest, host, engine, detector, watcher, operator, root");
        }
        String name = fields.text(json.get("name"), "name", "write the guest id, host name or your name");
        if (name != null && !Names.valid(name)) {
            fields.problem("name", "'" + name + "' is not a valid name; " + Names.RULE);
        }
        byte[] x509 = base64(json, "publicKey", fields);
        if (role == null || name == null || !Names.valid(name) || x509 == null) {
            throw new IllegalArgumentException(fields.problems().isEmpty() ? file + ": not a key file; " + FIX
                    : fields.problems().get(0));
        }
        PublicKey key;
        try {
            key = SigningKey.publicKey(x509);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": publicKey: is not an X.509 Ed25519 key; " + FIX);
        }
        String keyId = fields.text(json.get("keyId"), "keyId", "write the key's id as 'guestguard keys create' printed it");
        if (keyId != null && !keyId.equals(SigningKey.keyId(key))) {
            fields.problem("keyId", "'" + keyId + "' is not the id of publicKey (" + SigningKey.keyId(key) + "); " + FIX);
        }
        return new Public(new Principal(role, name), key);
    }

    private static byte[] base64(JsonNode json, String field, FieldReader fields) {
        String text = fields.text(json.get(field), field, FIX);
        if (text == null) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            fields.problem(field, "is not Base64; " + FIX);
            return null;
        }
    }

    private static JsonNode parse(Path file) {
        try {
            JsonNode json = JSON.readTree(file.toFile());
            if (json == null || !json.isObject()) {
                throw new IllegalArgumentException(file + ": not a key file (a JSON object); " + FIX);
            }
            return json;
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new IllegalArgumentException(file + ": no such key file; " + FIX);
            }
            throw new UncheckedIOException(file + ": cannot read the key file: " + e.getMessage(), e);
        }
    }
}
