package io.guestguard.reporter.trust;

import io.guestguard.agent.TrustFixture;
import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.SigningKey;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A guest set up as docs/operations.md says, before its reporter starts: the root registered the
 * guest's key (created beside its guest file) and the policy engine's, and the guest file's
 * {@code trust} names the root's public key file and the guest's private key file, relative to it.
 */
public class TrustedGuestResource implements QuarkusTestResourceLifecycleManager {

    static final String GUEST = "trusted-guest";
    static TrustFixture keys;
    static SigningKey engine;
    static SigningKey guest;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("trusted-guest");
            keys = new TrustFixture(dir.resolve("keys"), EmbeddedKafkaResource.broker().bootstrapServers(), Topics.DEFAULT);
            guest = keys.registered(Principal.guest(GUEST));
            engine = keys.registered(new Principal(Role.ENGINE, "engine-1"));
            Path file = Files.writeString(dir.resolve("guest.yaml"), """
                    guest: %s
                    heartbeat_interval: 200ms
                    trust:
                      root_key_file: keys/root-root.pub
                      key_file: keys/guest-%s.key
                    applications:
                      - name: app1
                        command: sleep 86400
                    """.formatted(GUEST, GUEST));
            return Map.of("guestguard.reporter.config-file", file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // the folder is left for a look after a failure; it is in the system's temporary folder
    }
}
