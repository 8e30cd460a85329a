package io.guestguard.deploy.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine's cores were, from the {@code cpu} line of {@code /proc/stat} (Linux):
 * every service of the simulation shares them, so a phase that saturates them measures the machine,
 * not the service. Ticks summed over all cores; idle and iowait count as not busy.
 *
 * @param busyTicks  user, nice, system, irq, softirq and steal ticks
 * @param totalTicks all ticks
 */
record MachineUsage(long busyTicks, long totalTicks) {

    private static final MachineUsage UNKNOWN = new MachineUsage(0, 0);

    static MachineUsage now() {
        try {
            return parse(Files.readString(Path.of("/proc/stat")));
        } catch (IOException | RuntimeException unreadable) {
            return UNKNOWN;
        }
    }

    static MachineUsage parse(String procStat) {
        String cpu = procStat.lines().filter(line -> line.startsWith("cpu ")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no cpu line in /proc/stat"));
        String[] fields = cpu.substring(4).trim().split("\\s+");
        long total = 0;
        long notBusy = 0;
        for (int i = 0; i < Math.min(fields.length, 8); i++) { // guest and guest_nice are inside user and nice already
            long ticks = Long.parseLong(fields[i]);
            total += ticks;
            if (i == 3 || i == 4) { // idle, iowait
                notBusy += ticks;
            }
        }
        return new MachineUsage(total - notBusy, total);
    }

    /** The share of the machine's core time that was busy since {@code earlier}, in percent; -1 if either reading failed or no time passed. */
    double busyPercentSince(MachineUsage earlier) {
        long total = totalTicks - earlier.totalTicks;
        return totalTicks == 0 || earlier.totalTicks == 0 || total <= 0 ? -1 : 100.0 * (busyTicks - earlier.busyTicks) / total;
    }
}
