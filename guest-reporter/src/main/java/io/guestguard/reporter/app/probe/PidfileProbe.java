package io.guestguard.reporter.app.probe;

import io.guestguard.process.ProcessGroups;

import io.guestguard.reporter.config.ProbeSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Healthy when the pid file names a live process (zombies are dead). Daemons write their pid files
 * for exactly this, and the process they name is the one that matters, even when it is a grandchild
 * in another session; it is the pid the probe reports. The first number in the file is the pid, as
 * in most pid files (some add a second line).
 */
final class PidfileProbe implements Probe {

    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private final ProbeSpec.Pidfile target;

    PidfileProbe(ProbeSpec.Pidfile target) {
        this.target = target;
    }

    @Override
    public Result check(Duration timeout) {
        String what = "pidfile " + target.path();
        String text;
        try {
            text = Files.readString(target.path(), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return Result.failed(what + ": missing", null);
        } catch (IOException e) {
            return Result.failed(what + ": cannot be read (" + e.getMessage() + ")", null);
        }
        Matcher m = NUMBER.matcher(text);
        if (!m.find()) {
            return Result.failed(what + ": holds no pid", null);
        }
        long pid;
        try {
            pid = Long.parseLong(m.group());
        } catch (NumberFormatException e) {
            return Result.failed(what + ": holds no pid", null);
        }
        return ProcessGroups.alive(pid) ? Result.healthy(pid) : Result.failed(what + ": pid " + pid + " is not running", pid);
    }

    /** The live process the file names now, or {@code null}. */
    Long livePid() {
        Result result = check(Duration.ZERO);
        return result.healthy() ? result.pid() : null;
    }
}
