package io.guestguard.protocol.trust;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;

/**
 * A principal's Ed25519 key pair (the JDK's own), named by its {@linkplain #keyId(PublicKey) key id}.
 * Only the principal holds the private half; every consumer knows the public half from the key ring.
 */
public record SigningKey(Principal principal, PrivateKey privateKey, PublicKey publicKey) {

    public static final String ALGORITHM = "Ed25519";

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
        return new SigningKey(principal, factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)),
                factory.generatePublic(new X509EncodedKeySpec(x509)));
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

    public String keyId() {
        return keyId(publicKey);
    }

    /** The Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + ALGORITHM, e);
        }
    }

    /** Whether {@code sig} is {@code key}'s valid signature of {@code message}; false for any malformed input. */
    public static boolean verify(PublicKey key, byte[] message, byte[] sig) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(message);
            return signature.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return principal + " (key " + keyId() + ")"; // never the private half
    }
}
