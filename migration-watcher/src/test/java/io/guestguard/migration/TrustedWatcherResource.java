package io.guestguard.migration;

import io.guestguard.deploy.kafka.EmbeddedKafkaResource;
import io.guestguard.protocol.Topics;
import io.guestguard.protocol.trust.Principal;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.TestKeys;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.Map;

/**
 * The watcher with signatures on: a test fleet's keys registered on the shared broker's keys topic
 * before it starts, the watcher given the root's public key and its private key, under an
 * application id of its own.
 */
public class TrustedWatcherResource implements QuarkusTestResourceLifecycleManager {

    static final Path KEYS = Path.of("target", "trusted-watcher-keys").toAbsolutePath();
    static final Principal WATCHER = new Principal(Role.WATCHER, "watcher-1");
    static final Principal SOURCE = Principal.host("wh1");

    @Override
    public Map<String, String> start() {
        TestKeys keys = new TestKeys(TestKeys.freshDir(KEYS.getFileName().toString()),
                EmbeddedKafkaResource.broker().bootstrapServers(), Topics.DEFAULT);
        keys.register(SOURCE);
        return Map.of(
                "guestguard.trust.root-key-file", keys.rootPublicFile().toString(),
                "guestguard.trust.key-file", keys.register(WATCHER).toString(),
                "quarkus.kafka-streams.application-id", "guestguard-migration-watcher-trusted");
    }

    @Override
    public void stop() {
        // the keys stay with the broker, which outlives the test class
    }
}
