package io.guestguard.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Signals and inspects whole process groups. Every process GuestGuard starts leads its own session
 * and group, so the group holds everything the application forked, even children whose parent has
 * died. The JDK cannot signal a group, so this runs {@code kill -s SIG -- -PGID}, which signals the
 * group atomically (a process forked meanwhile is not missed), and reads group membership from
 * {@code /proc} (Linux). Zombies count as gone: they are dead, and whoever reaps them is not us.
 */
public final class ProcessGroups {

    private static final Path PROC = Path.of("/proc");
    private static final Duration POLL = Duration.ofMillis(20);

    private ProcessGroups() {
    }

    /** Sends {@code signal} (e.g. {@code TERM}) to every process of group {@code pgid}; a group that is gone is fine. */
    public static void signal(long pgid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill to signal process group " + pgid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The live (not zombie) processes of group {@code pgid}. */
    public static List<Long> members(long pgid) {
        List<Long> members = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
            for (Path entry : entries) {
                Stat stat = stat(Long.parseLong(entry.getFileName().toString()));
                if (stat != null && stat.pgid == pgid && stat.state != 'Z') {
                    members.add(stat.pid);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + PROC + ": " + e.getMessage(), e);
        }
        return members;
    }

    /** Whether {@code pid} names a live process (a zombie is not live). */
    public static boolean alive(long pid) {
        Stat stat = stat(pid);
        return stat != null && stat.state != 'Z';
    }

    /** Whether {@code pid} is stopped by a signal (SIGSTOP), as a paused guest's processes are. */
    public static boolean stopped(long pid) {
        Stat stat = stat(pid);
        return stat != null && (stat.state == 'T' || stat.state == 't');
    }

    /** The process group of {@code pid}, or -1 when it does not run. */
    public static long groupOf(long pid) {
        Stat stat = stat(pid);
        return stat == null ? -1 : stat.pgid;
    }

    /** The session of {@code pid}, or -1 when it does not run. */
    public static long sessionOf(long pid) {
        Stat stat = stat(pid);
        return stat == null ? -1 : stat.session;
    }

    /** Waits until group {@code pgid} has no live process; returns whether it emptied within {@code timeout}. */
    public static boolean awaitEmpty(long pgid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!members(pgid).isEmpty()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(POLL.toMillis());
        }
        return true;
    }

    /**
     * TERM to the group, KILL after {@code grace} to whatever is left, then waits for the group to
     * empty. Returns whether the KILL was needed.
     */
    public static boolean terminate(long pgid, Duration grace) throws InterruptedException {
        signal(pgid, "TERM");
        if (awaitEmpty(pgid, grace)) {
            return false;
        }
        signal(pgid, "KILL");
        awaitEmpty(pgid, Duration.ofSeconds(10));
        return true;
    }

    /** KILL to the group, then waits (briefly: KILL cannot be ignored) for it to empty. */
    public static void kill(long pgid) throws InterruptedException {
        signal(pgid, "KILL");
        awaitEmpty(pgid, Duration.ofSeconds(10));
    }

    /**
     * When {@code pid} started, in clock ticks after boot (field 22 of {@code /proc/PID/stat}), or -1
     * when it does not run. Exact and stable, unlike {@code ProcessHandle.Info.startInstant()}, whose
     * boot-time base is recomputed from the clock and can move by a second between two JVMs.
     */
    public static long startTicks(long pid) {
        Stat stat = stat(pid);
        return stat == null || stat.state == 'Z' ? -1 : stat.startTicks;
    }

    private record Stat(long pid, char state, long pgid, long session, long startTicks) {
    }

    /** Fields of {@code /proc/PID/stat}; the command name may hold spaces and parentheses, so fields count from its last ')'. */
    private static Stat stat(long pid) {
        String line;
        try {
            line = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
        } catch (IOException e) {
            return null;
        }
        int end = line.lastIndexOf(')');
        if (end < 0) {
            return null;
        }
        String[] fields = line.substring(end + 2).split(" ");
        // fields[0] is field 3 of proc(5): state, ppid, pgrp, session, ..., starttime (field 22)
        return new Stat(pid, fields[0].charAt(0), Long.parseLong(fields[2]), Long.parseLong(fields[3]), Long.parseLong(fields[19]));
    }

    private static boolean isNumber(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return !name.isEmpty();
    }
}
