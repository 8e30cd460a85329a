package io.guestguard.reporter.app;

import io.guestguard.agent.TrustFixture;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import io.guestguard.reporter.config.ReporterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --check} reads the guest file's key files as the start does ({@code AgentTrust.check},
 * before Kafka is asked anything): a root key that is not the root's, a key of another role or of
 * another guest are refused with the file, the field and the fix.
 */
class ReporterCheckTrustTest {

    @TempDir
    Path dir;

    @Test
    void acceptsTheGuestsOwnKeyAndTheRootsAndNamesTheKeyItSignsWith() throws Exception {
        TrustFixture keys = new TrustFixture(dir.resolve("keys"), "127.0.0.1:9", Topics.DEFAULT);
        SigningKey g1 = keys.key(Principal.guest("g1"));

        Checked checked = check(guestFile("keys/root-root.pub", "keys/guest-g1.key"));

        assertThat(checked.exitCode).as(checked.err).isZero();
        assertThat(checked.out).contains("trust: signed with key " + g1.keyId() + " of guest g1");
    }

    @Test
    void refusesARootKeyThatIsNotTheRootsAndAKeyOfAnotherRoleOrGuest() throws Exception {
        TrustFixture keys = new TrustFixture(dir.resolve("keys"), "127.0.0.1:9", Topics.DEFAULT);
        keys.key(Principal.guest("g1"));
        keys.key(Principal.guest("g2"));
        keys.key(Principal.host("g1"));
        Files.copy(keys.privateFile(Principal.guest("g2")), dir.resolve("keys/g2.pub")); // a guest's key offered as the root's

        Path notRoot = guestFile("keys/g2.pub", "keys/guest-g1.key");
        assertThat(check(notRoot).err).contains(dir.resolve("keys/g2.pub") + ": role: the key is guest g2's; give "
                + notRoot + ": trust.root_key_file the operator root's public key file");
        Path hostKey = guestFile("keys/root-root.pub", "keys/host-g1.key");
        assertThat(check(hostKey).err).contains(dir.resolve("keys/host-g1.key") + ": role: the key is host g1's, not guest g1's; give "
                + hostKey + ": trust.key_file guest g1's own key file (guestguard keys create --role guest --name g1");
        Path otherGuest = guestFile("keys/root-root.pub", "keys/guest-g2.key");
        Checked refused = check(otherGuest);
        assertThat(refused.exitCode).isEqualTo(1);
        assertThat(refused.err).contains(dir.resolve("keys/guest-g2.key") + ": name: the key is guest g2's, not guest g1's");
    }

    private Path guestFile(String root, String key) throws Exception {
        return Files.writeString(Files.createTempFile(dir, "guest", ".yaml"), """
                guest: g1
                trust: {root_key_file: %s, key_file: %s}
                applications:
                  - name: app1
                    command: sleep 1
                """.formatted(root, key));
    }

    private record Checked(int exitCode, String out, String err) {
    }

    private static Checked check(Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new Reporter(config(file), Optional.empty(), new String[]{"--check"}).check();
            return new Checked(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    private static ReporterConfig config(Path file) {
        return new ReporterConfig() {
            @Override
            public String topicPrefix() {
                return "guestguard.";
            }

            @Override
            public Reporter reporter() {
                return new Reporter() {
                    @Override
                    public String configFile() {
                        return file.toString();
                    }

                    @Override
                    public Duration deliveryTimeout() {
                        return Duration.ofSeconds(30);
                    }

                    @Override
                    public Duration requestTimeout() {
                        return Duration.ofSeconds(10);
                    }

                    @Override
                    public Duration stallTimeout() {
                        return Duration.ofSeconds(10);
                    }

                    @Override
                    public Duration rebindStallTimeout() {
                        return Duration.ofMillis(500);
                    }

                    @Override
                    public Duration readyAckTimeout() {
                        return Duration.ofSeconds(30);
                    }
                };
            }
        };
    }
}
