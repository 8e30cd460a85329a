package io.guestguard.deploy.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time and resident memory of a process and its children, read from {@code /proc} (Linux): what a
 * service costs, measured from outside it. CPU time is in clock ticks of 10 ms (USER_HZ, 100 on Linux).
 */
record ProcessUsage(long cpuMillis, long rssKib) {

    private static final long MILLIS_PER_TICK = 10;

    static ProcessUsage of(List<ProcessHandle> tree) {
        long cpu = 0;
        long rss = 0;
        for (ProcessHandle process : tree) {
            cpu += cpuMillis(process.pid());
            rss += rssKib(process.pid());
        }
        return new ProcessUsage(cpu, rss);
    }

    static ProcessUsage self() {
        return of(List.of(ProcessHandle.current()));
    }

    private static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name (which may hold spaces), from field 3: utime and stime are 14 and 15.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * MILLIS_PER_TICK;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended
        }
        return 0;
    }
}
