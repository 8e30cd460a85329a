package io.guestguard.protocol.trust;

import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A principal's Ed25519 key pair, named by its {@linkplain #keyId(PublicKey) key id}. Only the
 * principal holds the private half; every consumer knows the public half from the key ring.
 *
 * <p>Keys are the JDK's (generated, encoded and decoded as PKCS #8 and X.509, as key files hold them);
 * signing and verifying use BouncyCastle's lightweight Ed25519 (no JCA provider is registered), some
 * 8 to 20 times faster than the JDK 17's. Both are standard Ed25519 (RFC 8032): the signatures are the
 * same bytes, and each verifies the other's.
 */
public final class SigningKey {

    public static final String ALGORITHM = "Ed25519";

    private final Principal principal;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final Ed25519PrivateKeyParameters signing;
    private final String keyId;

    /**
     * @throws IllegalArgumentException when {@code privateKey} is not an Ed25519 key
     */
    public SigningKey(Principal principal, PrivateKey privateKey, PublicKey publicKey) {
        this.principal = Objects.requireNonNull(principal);
        this.privateKey = Objects.requireNonNull(privateKey);
        this.publicKey = Objects.requireNonNull(publicKey);
        this.signing = convert(() -> PrivateKeyFactory.createKey(privateKey.getEncoded()), Ed25519PrivateKeyParameters.class);
        if (signing == null) {
            throw new IllegalArgumentException("not an " + ALGORITHM + " private key: " + privateKey.getAlgorithm());
        }
        this.keyId = keyId(publicKey);
    }

    /** A new key pair for {@code principal}. */
    public static SigningKey generate(Principal principal) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new SigningKey(principal, pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
        }
    }

    /** The key pair from its PKCS #8 private and X.509 public encodings (a key file's content). */
    public static SigningKey decode(Principal principal, byte[] pkcs8, byte[] x509) throws GeneralSecurityException {
        KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
        try {
            return new SigningKey(principal, factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)),
                    factory.generatePublic(new X509EncodedKeySpec(x509)));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    /** A public key from its X.509 encoding. */
    public static PublicKey publicKey(byte[] x509) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
    }

    /**
     * A key's id: the first 16 bytes of the SHA-256 of its X.509 encoding, in hex. Derived from the
     * key, so a key id cannot be claimed for another key.
     */
    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Principal principal() {
        return principal;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String keyId() {
        return keyId;
    }

    /** The Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, signing);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /**
     * Whether {@code sig} is {@code key}'s valid signature of {@code message}; false for any malformed
     * input. Converts the key at each call: what checks many records with one key keeps its {@link Verifier}.
     */
    public static boolean verify(PublicKey key, byte[] message, byte[] sig) {
        return Verifier.of(key).verify(message, sig);
    }

    /** A public key converted once for verifying, as a key ring's entry keeps it. */
    public static final class Verifier {

        private final PublicKey key;
        private final Ed25519PublicKeyParameters params; // null when the key is not a valid Ed25519 key: verifies nothing

        private Verifier(PublicKey key) {
            this.key = Objects.requireNonNull(key);
            this.params = convert(() -> PublicKeyFactory.createKey(key.getEncoded()), Ed25519PublicKeyParameters.class);
        }

        public static Verifier of(PublicKey key) {
            return new Verifier(key);
        }

        public PublicKey key() {
            return key;
        }

        /** Whether {@code sig} is this key's valid signature of {@code message}; false for any malformed input. */
        public boolean verify(byte[] message, byte[] sig) {
            if (params == null || message == null || sig == null) {
                return false;
            }
            try {
                Ed25519Signer verifier = new Ed25519Signer();
                verifier.init(false, params);
                verifier.update(message, 0, message.length);
                return verifier.verifySignature(sig);
            } catch (RuntimeException e) {
                return false;
            }
        }
    }

    private interface Conversion {
        CipherParameters convert() throws IOException;
    }

    /** BouncyCastle's parameters of a JDK key, or null if it is not one of {@code type}. */
    private static <T> T convert(Conversion conversion, Class<T> type) {
        try {
            CipherParameters params = conversion.convert();
            return type.isInstance(params) ? type.cast(params) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey other && principal.equals(other.principal) && privateKey.equals(other.privateKey)
                && publicKey.equals(other.publicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(principal, privateKey, publicKey);
    }

    @Override
    public String toString() {
        return principal + " (key " + keyId + ")"; // never the private half
    }
}
