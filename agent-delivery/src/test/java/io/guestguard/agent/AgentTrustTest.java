package io.guestguard.agent;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * An agent's key files are checked before Kafka is asked for the keys topic: with no broker at all, a
 * wrong file fails the start at once, naming the setting or file, the field and the fix.
 */
class AgentTrustTest {

    private static final Map<String, Object> NO_KAFKA = Map.of("bootstrap.servers", "127.0.0.1:9");

    @TempDir
    Path dir;

    @Test
    void aWrongKeyFileFailsTheStartBeforeKafkaIsAsked() {
        TrustFixture keys = new TrustFixture(dir, "127.0.0.1:9", Topics.DEFAULT);
        keys.key(Principal.host("h1"));
        keys.key(Principal.host("h2"));
        keys.key(Principal.guest("h1"));
        Principal h1 = Principal.host("h1");

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThatThrownBy(() -> start(files(keys.privateFile(Principal.guest("h1")), keys.privateFile(h1)), h1))
                    .hasMessage(keys.privateFile(Principal.guest("h1")) + ": role: the key is guest h1's; give root-setting "
                            + "the operator root's public key file (guestguard keys create --role root)");
            assertThatThrownBy(() -> start(files(keys.rootFile(), keys.privateFile(Principal.guest("h1"))), h1))
                    .hasMessage(keys.privateFile(Principal.guest("h1")) + ": role: the key is guest h1's, not host h1's; give "
                            + "key-setting host h1's own key file (guestguard keys create --role host --name h1, "
                            + "then guestguard keys register its .pub)");
            assertThatThrownBy(() -> start(files(keys.rootFile(), keys.privateFile(Principal.host("h2"))), h1))
                    .hasMessageStartingWith(keys.privateFile(Principal.host("h2")) + ": name: the key is host h2's, not host h1's");
            assertThatThrownBy(() -> start(new AgentTrust.KeyFiles("root-setting", Optional.of(keys.rootFile()), "key-setting",
                    Optional.empty()), h1)).hasMessageStartingWith("key-setting: missing; root-setting is set, so give host h1's private key file");
            assertThatThrownBy(() -> start(files(keys.rootFile(), dir.resolve("nowhere.key")), h1))
                    .hasMessageStartingWith(dir.resolve("nowhere.key") + ": no such key file");
        });
    }

    @Test
    void withoutTheRootNothingIsSignedOrChecked() throws Exception {
        try (AgentTrust off = start(new AgentTrust.KeyFiles("root-setting", Optional.empty(), "key-setting", Optional.empty()),
                new Principal(Role.GUEST, "g1"))) {
            assertThat(off.on()).isFalse();
            assertThat(off.signer().principal()).isEmpty();
            assertThat(off.refused()).isEmpty();
        }
    }

    private static AgentTrust.KeyFiles files(Path root, Path key) {
        return new AgentTrust.KeyFiles("root-setting", Optional.of(root), "key-setting", Optional.of(key));
    }

    private static AgentTrust start(AgentTrust.KeyFiles files, Principal self) throws InterruptedException {
        return AgentTrust.start(files, self, NO_KAFKA, Topics.DEFAULT, new EventCodec());
    }
}
