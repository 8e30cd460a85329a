package io.guestguard.streams;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.SigningKey;
import io.guestguard.protocol.trust.Trust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A service's trust from its settings: off without a root key file; a bad root key file stops it at start, named. */
class ServiceTrustTest {

    private static final Map<String, Object> NO_KAFKA = Map.of("bootstrap.servers", "localhost:1");

    @TempDir
    Path dir;

    @Test
    void withoutARootKeyFileNothingIsSignedOrChecked() {
        try (Trust trust = ServiceTrust.open("test", Optional.empty(), NO_KAFKA, Topics.DEFAULT, new EventCodec())) {
            assertThat(trust.on()).isFalse();
            assertThat(trust.signer(ServiceTrust.KEY_FILE, null, io.guestguard.protocol.trust.Role.ENGINE).principal()).isEmpty();
        }
    }

    @Test
    void aMissingOrWrongRootKeyFileNamesTheSettingTheFileAndTheFix() throws Exception {
        Path missing = dir.resolve("root-root.pub");
        assertThatThrownBy(() -> ServiceTrust.open("test", Optional.of(missing), NO_KAFKA, Topics.DEFAULT, new EventCodec()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(ServiceTrust.ROOT_KEY_FILE + ": " + missing);

        SigningKey guest = SigningKey.generate(Principal.guest("g1"));
        KeyFile.write(guest, dir.resolve("guest-g1.key"), dir.resolve("guest-g1.pub"));
        assertThatThrownBy(() -> ServiceTrust.open("test", Optional.of(dir.resolve("guest-g1.pub")), NO_KAFKA, Topics.DEFAULT,
                new EventCodec()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ServiceTrust.ROOT_KEY_FILE + ": " + dir.resolve("guest-g1.pub") + ": role: the key is guest g1's")
                .hasMessageContaining("guestguard keys create --role root");
    }
}
