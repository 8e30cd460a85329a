package io.guestguard.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** What crashes and bad disks do to record files, for tests. */
public final class FileDamage {

    private FileDamage() {
    }

    /** Cuts the file to {@code size} bytes, as a crash in the middle of a write leaves it. */
    public static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    /** Garbles one byte, as a bad disk would. */
    public static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 0x40;
        Files.write(file, bytes);
    }
}
