package io.guestguard.host;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A fresh state folder and simulated registry per test run: a journal must not outlive its broker. */
public class TempHostDirs implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("guestguard-test-host-");
            return Map.of("guestguard.host.state-dir", dir.resolve("state").toString(),
                    "guestguard.host.simulated.registry", dir.resolve("registry").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // the guests it ran are halted by the test; the folder is left for inspection
    }
}
