package io.guestguard.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * CPU time spent in this JVM between two points, by kind of thread: the broker runs in the same JVM
 * as the clients, so this says whether the topology's thread, the producers' I/O, the broker or the
 * JVM itself used the machine. Java threads are told apart by name; the JVM's own threads (JIT
 * compilers, garbage collector) and RocksDB's are invisible to Java and are read from Linux's
 * {@code /proc/self/task} where it exists.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Thread kinds by name, first match wins. */
    private static final List<Map.Entry<String, String>> KINDS = List.of(
            Map.entry("GlobalStreamThread", "global store thread"),
            Map.entry("StreamThread", "stream thread"),
            Map.entry("StateUpdater", "state updater"),
            Map.entry("kafka-producer-network-thread", "client producer I/O"),
            Map.entry("kafka-request-handler", "broker request handlers"),
            Map.entry("data-plane-kafka-network-thread", "broker network"),
            Map.entry("kafka-network-thread", "broker network"),
            Map.entry("log-cleaner", "broker log cleaner"),
            Map.entry("main", "benchmark main thread"));

    /** Native thread names (as Linux shows them, 15 characters at most) of threads Java does not list. */
    private static final List<Map.Entry<String, String>> NATIVE_KINDS = List.of(
            Map.entry("C2 CompilerThre", "JIT compilers"),
            Map.entry("C1 CompilerThre", "JIT compilers"),
            Map.entry("GC Thread", "garbage collector"),
            Map.entry("G1 ", "garbage collector"),
            Map.entry("rocksdb", "RocksDB background"));
    /** Linux's USER_HZ: the unit of a task's utime and stime. */
    private static final double TICKS_PER_SECOND = 100;

    private final Map<Long, Long> startNanos = new HashMap<>();
    private final Map<String, Long> startNativeTicks = nativeTicks();
    private final long startProcessNanos;
    private final long startGcMillis = gcMillis();

    private ThreadCpu() {
        for (long id : THREADS.getAllThreadIds()) {
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu >= 0) {
                startNanos.put(id, cpu);
            }
        }
        startProcessNanos = OS.getProcessCpuTime();
    }

    static ThreadCpu start() {
        return new ThreadCpu();
    }

    /** CPU seconds since {@link #start()} by thread kind, largest first, with the total under "process". */
    Map<String, Double> secondsByKind() {
        Map<String, Double> byKind = new HashMap<>();
        double threads = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            double seconds = (cpu - startNanos.getOrDefault(info.getThreadId(), 0L)) / 1e9;
            threads += seconds;
            byKind.merge(kind(info.getThreadName()), seconds, Double::sum);
        }
        double process = (OS.getProcessCpuTime() - startProcessNanos) / 1e9;
        double natives = 0;
        for (Map.Entry<String, Long> task : nativeTicks().entrySet()) {
            String name = task.getKey().substring(task.getKey().indexOf(' ') + 1);
            double seconds = (task.getValue() - startNativeTicks.getOrDefault(task.getKey(), 0L)) / TICKS_PER_SECOND;
            Optional<String> kind = NATIVE_KINDS.stream().filter(k -> name.startsWith(k.getKey())).map(Map.Entry::getValue).findFirst();
            if (kind.isPresent() && seconds > 0) {
                byKind.merge(kind.get(), seconds, Double::sum);
                natives += seconds;
            }
        }
        byKind.put("rest of the JVM and ended threads", Math.max(0, process - threads - natives));
        Map<String, Double> sorted = new LinkedHashMap<>();
        byKind.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.put("process", process);
        sorted.put("GC pauses (wall)", (gcMillis() - startGcMillis) / 1000.0);
        return sorted;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).filter(t -> t > 0).sum();
    }

    /** "stream thread 5.1 s, broker request handlers 2.0 s, ... (process 9.3 CPU-s)". */
    static String describe(Map<String, Double> seconds, Function<Double, Double> perFact) {
        StringBuilder line = new StringBuilder();
        seconds.forEach((kind, s) -> {
            if (!kind.equals("process") && !kind.startsWith("GC") && s >= 0.05) {
                line.append(line.length() == 0 ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%s %.1f s (%.1f µs/fact)", kind, s, perFact.apply(s)));
            }
        });
        return line.append(String.format(Locale.ROOT, "; process %.1f CPU-s; GC pauses %.1f s", seconds.get("process"),
                seconds.get("GC pauses (wall)"))).toString();
    }

    /** CPU ticks of every task of this process, by "tid name"; empty where there is no /proc. */
    private static Map<String, Long> nativeTicks() {
        Map<String, Long> ticks = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return ticks;
        }
        try (Stream<Path> all = Files.list(tasks)) {
            for (Path task : all.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // "tid (name) state ...": the name may hold spaces, so split after its closing parenthesis.
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.put(task.getFileName() + " " + name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                } catch (IOException | RuntimeException e) {
                    // the thread ended while we read it: nothing to count
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return ticks;
    }

    private static String kind(String threadName) {
        return KINDS.stream().filter(k -> threadName.contains(k.getKey())).map(Map.Entry::getValue).findFirst()
                .orElse("other threads");
    }
}
