package io.guestguard.host.trust;

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
 * A host set up for signed provenance before its supervisor starts: the root registered the host's
 * key and the policy engine's, and the supervisor is given the root's public key file and its own
 * private key file. Its own host id, apart from the other tests'.
 */
public class TrustedHostResource implements QuarkusTestResourceLifecycleManager {

    static final String HOST = "trusted-host";
    static TrustFixture keys;
    static SigningKey engine;
    static SigningKey host;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("guestguard-trusted-host-");
            keys = new TrustFixture(dir.resolve("keys"), EmbeddedKafkaResource.broker().bootstrapServers(), Topics.DEFAULT);
            host = keys.registered(Principal.host(HOST));
            engine = keys.registered(new Principal(Role.ENGINE, "engine-1"));
            return Map.of("guestguard.host.id", HOST, // a fresh state folder and registry: TempHostDirs, which every test has
                    "guestguard.trust.root-key-file", keys.rootFile().toString(),
                    "guestguard.trust.key-file", keys.privateFile(Principal.host(HOST)).toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // the guests it ran are halted by the test; the folder is left for inspection
    }
}
