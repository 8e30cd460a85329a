package io.guestguard.protocol.trust;

import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SigningKey signs and verifies with BouncyCastle's Ed25519 where it used the JDK's: the signatures,
 * key ids and key files must stay what they were, interoperable with any standard Ed25519.
 */
class SigningKeyTest {

    private static final byte[] MESSAGE = "DSSEv1 32 application/vnd.guestguard.event+json 2 {}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureIsTheJdksOwnAndEachVerifiesTheOthers() throws GeneralSecurityException {
        SigningKey key = SigningKey.generate(Principal.guest("g1"));
        byte[] jdk = jdkSign(key.privateKey(), MESSAGE);

        byte[] ours = key.sign(MESSAGE);

        assertThat(ours).isEqualTo(jdk); // Ed25519 is deterministic: the same key and message give the same bytes
        assertThat(SigningKey.verify(key.publicKey(), MESSAGE, jdk)).isTrue();
        assertThat(SigningKey.Verifier.of(key.publicKey()).verify(MESSAGE, jdk)).isTrue();
        assertThat(jdkVerify(key.publicKey(), MESSAGE, ours)).isTrue();
    }

    @Test
    void aKeyFileTheJdkWroteStillLoadsSignsAndVerifies() throws Exception {
        // Written by KeyFile with the JDK's Ed25519, before SigningKey used BouncyCastle: a test key, trusted nowhere.
        SigningKey key = KeyFile.readPrivate(fixture("jdk-guest-g1.key"));
        KeyFile.Public half = KeyFile.readPublic(fixture("jdk-guest-g1.pub"));

        assertThat(key.keyId()).isEqualTo("f59522111aeada906f9ef176d37623e7").isEqualTo(half.keyId());
        assertThat(key.principal()).isEqualTo(Principal.guest("g1"));
        assertThat(Base64.getEncoder().encodeToString(key.publicKey().getEncoded()))
                .isEqualTo("MCowBQYDK2VwAyEAcxwbflHdyLuIlXcg2PQBw6h2zfr8WIYG89dDetkkiJE=");
        assertThat(key.sign(MESSAGE)).isEqualTo(jdkSign(key.privateKey(), MESSAGE));
        assertThat(jdkVerify(half.key(), MESSAGE, key.sign(MESSAGE))).isTrue();
        assertThat(SigningKey.verify(half.key(), MESSAGE, jdkSign(key.privateKey(), MESSAGE))).isTrue();
    }

    @Test
    void nothingElseVerifies() throws GeneralSecurityException {
        SigningKey key = SigningKey.generate(Principal.guest("g1"));
        SigningKey.Verifier verifier = SigningKey.Verifier.of(key.publicKey());
        byte[] sig = key.sign(MESSAGE);
        byte[] flipped = sig.clone();
        flipped[5] ^= 1;
        byte[] otherMessage = MESSAGE.clone();
        otherMessage[0] ^= 1;

        assertThat(verifier.verify(MESSAGE, flipped)).isFalse();
        assertThat(verifier.verify(otherMessage, sig)).isFalse();
        assertThat(verifier.verify(MESSAGE, new byte[0])).isFalse();
        assertThat(verifier.verify(MESSAGE, new byte[65])).isFalse();
        assertThat(verifier.verify(MESSAGE, null)).isFalse();
        assertThat(SigningKey.Verifier.of(SigningKey.generate(Principal.guest("g2")).publicKey()).verify(MESSAGE, sig)).isFalse();
    }

    @Test
    void aKeyRingEntryVerifiesWithItsKey() {
        SigningKey key = SigningKey.generate(Principal.guest("g1"));
        KeyRing ring = new KeyRing();

        KeyRing.Entry entry = ring.register(key, java.time.Instant.EPOCH);

        assertThat(entry.key()).isEqualTo(key.publicKey());
        assertThat(entry.keyId()).isEqualTo(key.keyId());
        assertThat(entry.verifier().verify(MESSAGE, key.sign(MESSAGE))).isTrue();
        ring.revoke(key.keyId(), java.time.Instant.EPOCH.plusSeconds(1));
        assertThat(ring.find(key.keyId()).orElseThrow().verifier()).isSameAs(entry.verifier());
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(SigningKeyTest.class.getResource("/trust/jdk-key-files/" + name).toURI());
    }

    private static byte[] jdkSign(PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(SigningKey.ALGORITHM);
        signature.initSign(key);
        signature.update(message);
        return signature.sign();
    }

    private static boolean jdkVerify(PublicKey key, byte[] message, byte[] sig) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(SigningKey.ALGORITHM);
        signature.initVerify(key);
        signature.update(message);
        return signature.verify(sig);
    }
}
