package io.guestguard.cli;

import io.guestguard.cli.CheckCommandTest.Run;
import io.guestguard.deploy.kafka.EmbeddedKafka;
import io.guestguard.protocol.CloudEvent;
import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.KeyRegistered;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code guestguard keys} on a real broker: keys created, registered and revoked by the root, and listed as services see them. */
class KeysCommandTest {

    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.startTemporary(Topics.DEFAULT, 1);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void keysAreCreatedRegisteredRevokedAndListedAsTheRootSignedThem() throws Exception {
        Run root = Run.of("keys", "create", "--role", "root", "--name", "root", "--dir", dir.toString());
        Run guest = Run.of("keys", "create", "--role", "guest", "--name", "g1", "--dir", dir.toString());
        Run alice = Run.of("keys", "create", "--role", "operator", "--name", "alice", "--dir", dir.toString());
        assertThat(root.exitCode()).isZero();
        assertThat(guest.exitCode()).isZero();
        assertThat(alice.exitCode()).isZero();
        SigningKey g1 = KeyFile.readPrivate(dir.resolve("guest-g1.key"));
        assertThat(g1.principal()).isEqualTo(Principal.guest("g1"));
        assertThat(guest.out()).startsWith("created key " + g1.keyId() + " for guest g1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("guest-g1.key")))).isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("guest-g1.pub"))).doesNotContain("privateKey");

        Run register = Run.of("keys", "register", dir.resolve("guest-g1.pub").toString(), dir.resolve("operator-alice.pub").toString(),
                "--root-key", dir.resolve("root-root.key").toString(), "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(register.err()).isEmpty();
        assertThat(register.out()).contains("registered key " + g1.keyId() + " of guest g1");

        // A registration the root did not sign: alice (an operator, not the root) tries to add her own second key.
        SigningKey aliceKey = KeyFile.readPrivate(dir.resolve("operator-alice.key"));
        SigningKey extra = SigningKey.generate(new Principal(Role.HOST, "primary"));
        forge(new KeyRegistered(extra.keyId(), "host", "primary", Base64.getEncoder().encodeToString(extra.publicKey().getEncoded())), aliceKey);

        Run revoke = Run.of("keys", "revoke", g1.keyId(), "--reason", "image compromised",
                "--root-key", dir.resolve("root-root.key").toString(), "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(revoke.out()).contains("revoked key " + g1.keyId());

        Run list = Run.of("keys", "list", "--root", dir.resolve("root-root.pub").toString(), "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).containsPattern(g1.keyId() + "\\s+guest g1\\s+\\S+\\s+20\\d\\d-")
                .containsPattern(aliceKey.keyId() + "\\s+operator alice\\s+\\S+\\s+-")
                .doesNotContain(extra.keyId() + "  ")
                .contains("not the root's, ignored: ").contains("unknown key " + aliceKey.keyId());
    }

    @Test
    void onlyTheRootKeyRegistersAndABadKeyFileNamesTheFieldAndTheFix() throws Exception {
        Run.of("keys", "create", "--role", "operator", "--name", "alice", "--dir", dir.toString());
        Run.of("keys", "create", "--role", "guest", "--name", "g1", "--dir", dir.toString());

        Run notRoot = Run.of("keys", "register", dir.resolve("guest-g1.pub").toString(), "--root-key",
                dir.resolve("operator-alice.key").toString(), "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(notRoot.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(notRoot.err()).contains(dir.resolve("operator-alice.key") + ": role: the key is operator alice's, not an operator root's");

        Path broken = dir.resolve("broken.key");
        Files.writeString(broken, "{\"role\":\"guest\",\"name\":\"g1\",\"publicKey\":\"not base64!\"}");
        Run bad = Run.of("app", "stop", "app1", "-g", "g1", "--key", broken.toString(), "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains(broken + ": publicKey: is not Base64; create the key again with: guestguard keys create");

        Run again = Run.of("keys", "create", "--role", "guest", "--name", "g1", "--dir", dir.toString());
        assertThat(again.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(again.err()).contains("a key is never overwritten");

        Run unsigned = Run.of("app", "stop", "app1", "-g", "g1", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(unsigned.exitCode()).isZero();
        assertThat(unsigned.err()).contains("warning: no --key (or GUESTGUARD_KEY): the record goes unsigned");
    }

    private static void forge(KeyRegistered registration, SigningKey signer) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            CloudEvent<KeyRegistered> event = new CloudEvent<>("forged-" + registration.keyId(), "/operator/alice", Instant.now(),
                    null, null, null, null, registration);
            producer.send(new ProducerRecord<>(Topics.DEFAULT.keys(), registration.keyId(), new EventCodec().encode(event, signer))).get();
        }
    }
}
