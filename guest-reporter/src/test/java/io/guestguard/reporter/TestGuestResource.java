package io.guestguard.reporter;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs the reporter under test on a copy of {@code test-guest.yaml} in a fresh temporary folder, so
 * its state folder (next to the file) starts empty: an outbox or command journal left by an earlier
 * run belongs to an earlier broker.
 */
public class TestGuestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("reporter-test");
            Path file = dir.resolve("test-guest.yaml");
            Files.copy(Path.of("src/test/resources/test-guest.yaml"), file);
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
