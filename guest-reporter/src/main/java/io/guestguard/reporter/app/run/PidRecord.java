package io.guestguard.reporter.app.run;

import io.guestguard.process.ProcessGroups;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalLong;

/**
 * The file {@code STATE_DIR/apps/NAME.pid} that lets a new reporter adopt an exec application the
 * previous one left running (a reporter can be killed while its applications, in their own sessions,
 * live on). It holds the pid, the process's start time and the boot id, so a pid reused by another
 * process, or a record from before a reboot, is not mistaken for the application.
 */
final class PidRecord {

    private static final Logger LOG = Logger.getLogger(PidRecord.class);
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private final Path file;

    PidRecord(Path stateDir, String app) {
        this.file = stateDir.resolve("apps").resolve(app + ".pid");
    }

    /** Records {@code pid} as the application's process; written whole or not at all. */
    void write(long pid) throws IOException {
        long start = ProcessGroups.startTicks(pid);
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, pid + " " + start + " " + bootId() + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The recorded pid, if that very process still runs. */
    OptionalLong live() {
        String[] fields;
        try {
            fields = Files.readString(file, StandardCharsets.UTF_8).strip().split(" ");
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        try {
            long pid = Long.parseLong(fields[0]);
            long start = Long.parseLong(fields[1]);
            if (fields.length == 3 && fields[2].equals(bootId()) && start >= 0 && ProcessGroups.startTicks(pid) == start) {
                return OptionalLong.of(pid);
            }
        } catch (RuntimeException e) {
            LOG.warnf("ignoring unreadable pid record %s", file);
        }
        return OptionalLong.empty();
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("cannot delete %s: %s", file, e.getMessage());
        }
    }

    private static String bootId() {
        try {
            return Files.readString(BOOT_ID, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
