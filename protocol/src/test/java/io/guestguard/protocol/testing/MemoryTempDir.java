package io.guestguard.protocol.testing;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@code @TempDir(factory = MemoryTempDir.class)} in memory ({@code /dev/shm}) where the machine has
 * one. Kafka Streams' {@code TopologyTestDriver} commits after every record, and each commit forces
 * every state store's checkpoint file to disk: tens of thousands of records on a disk take minutes of
 * {@code fsync}, on tmpfs nothing. Falls back to the default temporary folder elsewhere.
 */
public final class MemoryTempDir implements TempDirFactory {

    private static final Path SHM = Path.of("/dev/shm");

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws IOException {
        return Files.isDirectory(SHM) && Files.isWritable(SHM)
                ? Files.createTempDirectory(SHM, "guestguard-test-")
                : Files.createTempDirectory("guestguard-test-");
    }
}
