package dev.helix.nexus.bench.jfr;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.telemetry.TelemetrySensorProvider;
import dev.helix.nexus.telemetry.TelemetryStore;
import dev.helix.nexus.telemetry.jvm.JfrSensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Whole-JVM CPU cost of {@link JfrSensor} as the agent configures it, in a JVM that is busy with a paced,
 * allocating and locking workload (so JFR has GC, safepoint, monitor, park and allocation-sample events to stream).
 *
 * <p>Usage: {@code JfrOverheadRun on|off [seconds] [warm-up seconds] [alloc MB/s] [dump.jfr]} (defaults 600, 60,
 * 20). With a fifth argument (only with {@code on}) a second {@link jdk.jfr.Recording} with the sensor's event
 * settings runs over the measured window and is dumped there, for {@code jfr summary} (event counts and sizes); do
 * not use it for the overhead numbers. Run two
 * JVMs with identical flags <em>at the same time</em>, one {@code on} and one {@code off}: both sample, at 1 Hz on a
 * tick thread, every sensor {@link TelemetrySensorProvider} registers for the defaults, the {@code off} JVM without
 * the {@link JfrSensor}; both run the same workload at the same fixed pace, so the difference of their CPU is what the
 * JFR sensor costs (its stream's threads, its {@code sample} on the tick thread, the event commits in the workload
 * threads and any extra GC/JIT it causes), and running them concurrently exposes both to the same host load.
 *
 * <p>Workload (fixed work per second, not as fast as possible, so both JVMs do the same work): an allocator thread
 * allocating {@code alloc MB/s} in 10 ms slices as mixed-size arrays, a sixteenth of them kept in a 64 Ki-slot ring
 * so some survive young collections; a lock holder taking a shared monitor for 30 ms every 500 ms while two other
 * threads take it every 5 ms (two monitor waits above JFR's 20 ms threshold per second, many below it); a parker
 * parking 25 ms every 250 ms (four parks above the threshold per second).
 *
 * <p>Measured over the window after warm-up: {@code /proc/self/stat} utime+stime (10 ms ticks) and, per thread,
 * {@code /proc/self/task/[tid]/schedstat} (ns) grouped by thread name (JFR threads, tick thread, workload, GC/VM
 * thread, compilers, other); per sensor the tick thread's CPU ({@code getCurrentThreadCpuTime}) in {@code sample};
 * the workload's completed slices (must be equal on and off); the JFR sensor's own event counts (sum of its
 * per-tick metrics). Not thread-safe; a command-line program.
 */
public final class JfrOverheadRun {

    private static final long PERIOD_NS = 1_000_000_000L;
    private static final long SLICE_NS = 10_000_000L;

    private static volatile boolean stop;
    private static final Object LOCK = new Object();
    private static volatile long sink; // keeps the workload's results alive

    private JfrOverheadRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !(args[0].equals("on") || args[0].equals("off")) || args.length > 5
                || (args.length == 5 && args[0].equals("off"))) {
            throw new IllegalArgumentException("usage: JfrOverheadRun on|off [seconds] [warm-up seconds] "
                    + "[alloc MB/s] [dump.jfr (on only)], got '" + String.join(" ", args) + "'");
        }
        boolean jfr = args[0].equals("on");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        double allocMbPerS = args.length > 3 ? Double.parseDouble(args[3]) : 20;
        Path dump = args.length > 4 ? Path.of(args[4]) : null;
        jdk.jfr.Recording copy = null;
        if (seconds < 10 || warmup < 0 || !(allocMbPerS >= 0)) {
            throw new IllegalArgumentException("seconds >= 10, warm-up >= 0, alloc >= 0 MB/s; got "
                    + String.join(" ", args));
        }
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        tmx.setThreadCpuTimeEnabled(true);
        List<Sensor> sensors = new ArrayList<>();
        for (Sensor s : new TelemetrySensorProvider().create(NexusConfig.defaults())) {
            if (!jfr && s instanceof JfrSensor) {
                s.close();
                continue;
            }
            sensors.add(s);
        }
        System.out.printf(Locale.ROOT, "JfrOverheadRun JFR sensor %s: %d s after %d s warm-up, %.1f MB/s; %s; %s; "
                        + "loadavg %s%n  %d sensors: %s%n", jfr ? "ON" : "OFF", seconds, warmup, allocMbPerS,
                Runtime.version(), ManagementFactory.getRuntimeMXBean().getInputArguments(), loadavg(),
                sensors.size(), sensors.stream().map(Sensor::name).toList());

        long[] slices = new long[1];
        List<Thread> workload = List.of(
                new Thread(() -> allocate(allocMbPerS, slices), "wl-alloc"),
                new Thread(JfrOverheadRun::holdLock, "wl-holder"),
                new Thread(JfrOverheadRun::takeLock, "wl-taker1"),
                new Thread(JfrOverheadRun::takeLock, "wl-taker2"),
                new Thread(JfrOverheadRun::park, "wl-parker"));
        workload.forEach(Thread::start);

        Map<String, double[]> jfrSums = new TreeMap<>();
        MetricSink store = new TelemetryStore();
        MetricSink tap = (k, v, t) -> {
            store.record(k, v, t);
            if (k.name().startsWith("jvm_jfr_") && !Double.isNaN(v) && isCount(k)) {
                jfrSums.computeIfAbsent(k.name(), x -> new double[1])[0] += v;
            }
        };
        long[] perSensorNs = new long[sensors.size()];
        long start = System.nanoTime();
        Map<Long, String[]> t0 = null;
        long proc0 = 0;
        long win0 = 0;
        long slices0 = 0;
        int errors = 0;
        Thread.currentThread().setName("nexus-tick");
        for (int i = 0; i < warmup + seconds; i++) {
            sleepUntil(start + i * PERIOD_NS);
            int m = i - warmup;
            if (m == 0) {
                t0 = threads();
                proc0 = procTicks();
                win0 = System.nanoTime();
                synchronized (slices) {
                    slices0 = slices[0];
                }
                jfrSums.clear();
                if (dump != null) {
                    copy = sameSettingsRecording();
                    copy.start();
                }
            }
            long ts = System.currentTimeMillis();
            long pc = tmx.getCurrentThreadCpuTime();
            for (int k = 0; k < sensors.size(); k++) {
                try {
                    sensors.get(k).sample(tap, ts);
                } catch (RuntimeException e) {
                    errors++;
                }
                long nc = tmx.getCurrentThreadCpuTime();
                if (m >= 0) {
                    perSensorNs[k] += nc - pc;
                }
                pc = nc;
            }
            if (m > 0 && m % 60 == 0) {
                System.out.printf(Locale.ROOT, "  %d/%d s, loadavg %s%n", m, seconds, loadavg());
            }
        }
        sleepUntil(start + (long) (warmup + seconds) * PERIOD_NS);
        Map<Long, String[]> t1 = threads();
        long proc1 = procTicks();
        double windowS = (System.nanoTime() - win0) / 1e9;
        long slices1;
        synchronized (slices) {
            slices1 = slices[0];
        }
        if (copy != null) {
            copy.stop();
            copy.dump(dump);
            copy.close();
            System.out.println("dumped the window's events to " + dump + " (jfr summary " + dump + ")");
        }
        stop = true;
        for (Thread t : workload) {
            t.join();
        }
        for (Sensor s : sensors) {
            s.close();
        }

        long clk = 100; // USER_HZ on Linux
        System.out.printf(Locale.ROOT, "%nJFR sensor %s, window %.1f s, loadavg at end %s, sample errors %d%n",
                jfr ? "ON" : "OFF", windowS, loadavg(), errors);
        System.out.printf(Locale.ROOT, "workload: %d slices of 10 ms done (%.2f per s, %.1f MB/s allocated)%n",
                slices1 - slices0, (slices1 - slices0) / windowS,
                (slices1 - slices0) * allocMbPerS / 100 / windowS);
        System.out.printf(Locale.ROOT, "whole JVM /proc/self/stat: %.2f ms CPU per s (%.3f %% of a core)%n",
                (proc1 - proc0) * 1000.0 / clk / windowS, (proc1 - proc0) * 1000.0 / clk / windowS / 10);
        Map<String, Long> groups = new TreeMap<>();
        Map<String, Long> jfrThreads = new TreeMap<>(); // JFR and workload threads one by one
        long total = 0;
        for (Map.Entry<Long, String[]> e : t1.entrySet()) {
            String[] before = t0.get(e.getKey());
            long d = Long.parseLong(e.getValue()[1]) - (before == null ? 0 : Long.parseLong(before[1]));
            String comm = e.getValue()[0];
            String g = group(comm);
            groups.merge(g, d, Long::sum);
            if (g.equals("JFR threads") || g.equals("workload threads")) {
                jfrThreads.merge(comm, d, Long::sum);
            }
            total += d;
        }
        System.out.println("| thread group | CPU ms per s | % of one core |");
        System.out.println("|---|---|---|");
        for (Map.Entry<String, Long> e : groups.entrySet()) {
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.4f %% |%n", e.getKey(), e.getValue() / 1e6 / windowS,
                    e.getValue() / 1e6 / windowS / 10);
        }
        System.out.printf(Locale.ROOT, "| **all live threads (schedstat)** | %.3f | %.4f %% |%n", total / 1e6 / windowS,
                total / 1e6 / windowS / 10);
        jfrThreads.forEach((k, v) -> System.out.printf(Locale.ROOT, "  thread %-16s %.3f ms per s%n", k,
                v / 1e6 / windowS));
        System.out.println("tick thread, CPU per tick in each sensor's sample:");
        for (int k = 0; k < sensors.size(); k++) {
            System.out.printf(Locale.ROOT, "  %-18s %8.4f ms%n", sensors.get(k).name(), perSensorNs[k] / 1e6 / seconds);
        }
        if (jfr) {
            System.out.println("JFR sensor, events over the window (sum of its per-tick counts):");
            jfrSums.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-36s %,.0f (%.2f per s)%n", k, v[0],
                    v[0] / windowS));
        }
        System.out.println("heap at end: " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage());
    }

    /** A recording with the events and settings {@link JfrSensor} enables (default lock threshold). */
    private static jdk.jfr.Recording sameSettingsRecording() {
        jdk.jfr.Recording r = new jdk.jfr.Recording();
        r.enable("jdk.GarbageCollection").withoutStackTrace();
        r.enable("jdk.GCPhasePause").withoutStackTrace();
        r.enable("jdk.JavaMonitorEnter").withThreshold(JfrSensor.DEFAULT_LOCK_THRESHOLD).withoutStackTrace();
        r.enable("jdk.ThreadPark").withThreshold(JfrSensor.DEFAULT_LOCK_THRESHOLD).withoutStackTrace();
        r.enable("jdk.SafepointBegin").withThreshold(java.time.Duration.ZERO).withoutStackTrace();
        r.enable("jdk.SafepointEnd").withThreshold(java.time.Duration.ZERO).withoutStackTrace();
        r.enable("jdk.ObjectAllocationSample").with("throttle", JfrSensor.ALLOCATION_THROTTLE).withoutStackTrace();
        r.setToDisk(true);
        return r;
    }

    private static boolean isCount(MetricKey k) {
        return switch (k.name()) {
            case "jvm_jfr_gc_collections", "jvm_jfr_gc_pauses", "jvm_jfr_monitor_contended", "jvm_jfr_thread_parks",
                    "jvm_jfr_safepoints" -> true;
            default -> false;
        };
    }

    private static String group(String comm) {
        if (comm.startsWith("JFR")) {
            return "JFR threads";
        }
        if (comm.equals("nexus-tick")) {
            return "tick thread";
        }
        if (comm.startsWith("wl-")) {
            return "workload threads";
        }
        if (comm.startsWith("C1 ") || comm.startsWith("C2 ")) {
            return "JIT compilers";
        }
        if (comm.startsWith("VM Thread") || comm.startsWith("GC ") || comm.startsWith("G1 ")) {
            return "VM thread / GC";
        }
        return "other JVM threads";
    }

    /** Allocates {@code mbPerS} in 10 ms slices of mixed-size arrays; every 16th kept in a ring. */
    private static void allocate(double mbPerS, long[] slices) {
        long bytesPerSlice = (long) (mbPerS * 1e6 / 100);
        Object[] ring = new Object[1 << 16];
        int r = 0;
        long next = System.nanoTime();
        long x = 0x9E3779B97F4A7C15L;
        while (!stop) {
            long done = 0;
            int n = 0;
            while (done < bytesPerSlice) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                int size = 16 + (int) ((x >>> 40) & 1023);
                byte[] a = new byte[size];
                a[0] = (byte) n;
                if ((n++ & 15) == 0) {
                    ring[r++ & (ring.length - 1)] = a;
                }
                done += size + 16;
            }
            synchronized (slices) {
                slices[0]++;
            }
            next += SLICE_NS;
            sleepUntil(next);
        }
        sink = ring.length;
    }

    private static void holdLock() {
        long next = System.nanoTime();
        while (!stop) {
            next += 500_000_000L;
            sleepUntil(next);
            synchronized (LOCK) {
                LockSupport.parkNanos(30_000_000L);
            }
        }
    }

    private static void takeLock() {
        long next = System.nanoTime();
        long acc = 0;
        while (!stop) {
            next += 5_000_000L;
            sleepUntil(next);
            synchronized (LOCK) {
                acc += System.nanoTime() & 7;
            }
        }
        sink = acc;
    }

    private static void park() {
        long next = System.nanoTime();
        while (!stop) {
            next += 250_000_000L;
            sleepUntil(next);
            LockSupport.parkNanos(25_000_000L);
        }
    }

    private static void sleepUntil(long deadline) {
        for (long d; (d = deadline - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(d);
        }
    }

    /** tid to {comm, schedstat run ns} of every live thread of this process. */
    private static Map<Long, String[]> threads() throws IOException {
        Map<Long, String[]> out = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : ds) {
                try {
                    String comm = Files.readString(t.resolve("comm")).strip();
                    String ns = Files.readString(t.resolve("schedstat")).strip().split(" ")[0];
                    out.put(Long.parseLong(t.getFileName().toString()), new String[] {comm, ns});
                } catch (IOException e) {
                    // thread exited while listing
                }
            }
        }
        return out;
    }

    private static long procTicks() throws IOException {
        String s = Files.readString(Path.of("/proc/self/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    }

    private static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
