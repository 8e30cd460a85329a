package io.guestguard.policy.engine;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.TestKeys;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.Map;

/**
 * The engine with signatures on: a test fleet's keys registered on the shared broker's keys topic
 * before the engine starts (one of them revoked), the engine given the root's public key and its two
 * private keys, under an application id of its own.
 */
public class TrustedEngineResource implements QuarkusTestResourceLifecycleManager {

    static final Path KEYS = Path.of("target", "trusted-engine-keys").toAbsolutePath();
    static final Principal ENGINE = new Principal(Role.ENGINE, "engine-1");
    static final Principal DETECTOR = new Principal(Role.DETECTOR, "engine-1");
    static final Principal ALICE = new Principal(Role.OPERATOR, "alice");
    /** Registered, then revoked before the engine starts. */
    static final Principal REVOKED = Principal.guest("sg9");
    /** Registered: guests and hosts the tests sign for. */
    static final Principal[] REGISTERED = {Principal.guest("sg1"), Principal.guest("sg3"), REVOKED, Principal.host("sprimary"),
            Principal.host("dprimary"), Principal.host("dstandby"), ALICE};

    @Override
    public Map<String, String> start() {
        TestKeys keys = new TestKeys(TestKeys.freshDir(KEYS.getFileName().toString()),
                EmbeddedKafkaResource.broker().bootstrapServers(), Topics.DEFAULT);
        for (Principal principal : REGISTERED) {
            keys.register(principal);
        }
        keys.revoke(REVOKED);
        return Map.of(
                "guestguard.trust.root-key-file", keys.rootPublicFile().toString(),
                "guestguard.trust.key-file", keys.register(ENGINE).toString(),
                "guestguard.trust.detector-key-file", keys.register(DETECTOR).toString(),
                "quarkus.kafka-streams.application-id", "guestguard-policy-engine-trusted");
    }

    @Override
    public void stop() {
        // the keys stay with the broker, which outlives the test class
    }
}
