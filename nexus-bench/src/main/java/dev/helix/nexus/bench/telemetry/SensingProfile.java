package dev.helix.nexus.bench.telemetry;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.telemetry.TelemetrySensorProvider;
import dev.helix.nexus.telemetry.TelemetryStore;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Where the sensing tick's CPU goes: per sensor, thread CPU split into user and kernel time, plus the cost of the
 * individual operations the expensive sensors are built from (each JVM MXBean call, listing {@code /proc}, one
 * {@code pread} of every process's {@code stat}).
 *
 * <p>Usage: {@code SensingProfile [ticks] [period ms] [warm-up ticks]} (defaults 300, 100, 50). Per-sensor CPU is
 * {@code getCurrentThreadCpuTime} (ns precision). The user/kernel split is taken for the whole tick only, from
 * {@code getCurrentThreadUserTime}: Linux accounts it from timer-tick samples scaled to the precise total, so it is
 * only meaningful summed over many ticks (hence 300), and HotSpot reads it from {@code /proc/self/task/[tid]/stat},
 * itself a ~10 us kernel call that would distort a per-sensor split (use {@code perf record} on the thread for
 * that). Kernel time = CPU - user. A period shorter than the agent's 1 s keeps caches warmer than at
 * 1 Hz, so absolute numbers come out lower than in {@link SensingOverheadRun}; the split and the ranking are what
 * this is for. The whole tick includes the harness's own probes: 2 per-sensor {@code getCurrentThreadCpuTime} calls
 * (~0.7 us each, a real system call) and 2 {@code getCurrentThreadUserTime} reads per tick (open, read, close of
 * the thread's stat), together ~0.04 ms per tick.
 *
 * <p>After the ticks it times single operations: MXBean calls, listing {@code /proc} two ways, reading every
 * process's {@code stat}, and the Java read paths for a kept-open /proc file (see {@code readPaths}).
 */
public final class SensingProfile {

    private SensingProfile() {
    }

    public static void main(String[] args) throws Exception {
        int ticks = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        long periodMs = args.length > 1 ? Long.parseLong(args[1]) : 100;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        tmx.setThreadCpuTimeEnabled(true);
        tmx.setThreadAllocatedMemoryEnabled(true);
        List<Sensor> sensors = new TelemetrySensorProvider().create(NexusConfig.defaults());
        TelemetryStore store = new TelemetryStore();
        MetricSink sink = store;
        int s = sensors.size();
        long[] cpu = new long[s];
        long[] user = new long[s];
        long[] alloc = new long[s];
        long totalCpu = 0;
        long totalUser = 0;
        System.out.printf(Locale.ROOT, "SensingProfile: %d ticks every %d ms after %d warm-up; loadavg %s%n", ticks,
                periodMs, warmup, SensingOverheadRun.loadavg());
        for (int i = 0; i < warmup + ticks; i++) {
            long ts = System.currentTimeMillis();
            long c0 = tmx.getCurrentThreadCpuTime();
            long u0 = tmx.getCurrentThreadUserTime();
            long t0c = c0;
            long t0u = u0;
            for (int k = 0; k < s; k++) {
                long a0 = tmx.getCurrentThreadAllocatedBytes();
                long kc0 = tmx.getCurrentThreadCpuTime();
                sensors.get(k).sample(sink, ts);
                long kc1 = tmx.getCurrentThreadCpuTime();
                long a1 = tmx.getCurrentThreadAllocatedBytes();
                if (i >= warmup) {
                    cpu[k] += kc1 - kc0;
                    alloc[k] += a1 - a0;
                }
            }
            if (i >= warmup) {
                totalCpu += tmx.getCurrentThreadCpuTime() - t0c;
                totalUser += tmx.getCurrentThreadUserTime() - t0u;
            }
            TimeUnit.MILLISECONDS.sleep(periodMs);
        }
        System.out.println("| sensor | CPU ms/tick | user ms/tick | kernel ms/tick | kernel share | bytes/tick |");
        System.out.println("|---|---|---|---|---|---|");
        for (int k = 0; k < s; k++) {
            row(sensors.get(k).name(), cpu[k], user[k], alloc[k], ticks);
        }
        long sum = 0;
        for (long c : cpu) {
            sum += c;
        }
        row("(sum of sensors)", sum, 0, 0, ticks);
        row("(whole tick: user/kernel split)", totalCpu, totalUser, 0, ticks);
        for (Sensor x : sensors) {
            x.close();
        }

        System.out.println();
        System.out.println("Operations (thread CPU per call, mean of 200 after 200 warm-up; too short for a user/kernel split):");
        ThreadMXBean th = ManagementFactory.getThreadMXBean();
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
        List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        op(tmx, "MemoryMXBean.getHeapMemoryUsage", () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage()
                .getUsed());
        op(tmx, "MemoryMXBean.getNonHeapMemoryUsage", () -> ManagementFactory.getMemoryMXBean()
                .getNonHeapMemoryUsage().getUsed());
        op(tmx, "all pools getUsage (" + pools.size() + ")", () -> {
            long x = 0;
            for (MemoryPoolMXBean p : pools) {
                x += p.getUsage().getUsed();
            }
            return x;
        });
        op(tmx, "all pools getCollectionUsage", () -> {
            long x = 0;
            for (MemoryPoolMXBean p : pools) {
                var u = p.getCollectionUsage();
                x += u == null ? 0 : u.getUsed();
            }
            return x;
        });
        op(tmx, "all pools isValid + getName", () -> {
            long x = 0;
            for (MemoryPoolMXBean p : pools) {
                x += p.isValid() ? p.getName().length() : 0;
            }
            return x;
        });
        op(tmx, "all GCs count + time (" + gcs.size() + ")", () -> {
            long x = 0;
            for (GarbageCollectorMXBean g : gcs) {
                x += g.getCollectionCount() + g.getCollectionTime();
            }
            return x;
        });
        op(tmx, "ThreadMXBean.getAllThreadIds", () -> th.getAllThreadIds().length);
        op(tmx, "ThreadMXBean.getThreadInfo(all, 0)", () -> th.getThreadInfo(th.getAllThreadIds(), 0).length);
        op(tmx, "ThreadMXBean counts (live, daemon, peak)", () -> th.getThreadCount() + th.getDaemonThreadCount()
                + th.getPeakThreadCount());
        op(tmx, "ThreadMXBean.findDeadlockedThreads", () -> {
            long[] d = th.findDeadlockedThreads();
            return d == null ? 0 : d.length;
        });
        op(tmx, "ClassLoadingMXBean (3 counts)", () -> {
            var c = ManagementFactory.getClassLoadingMXBean();
            return c.getLoadedClassCount() + c.getTotalLoadedClassCount() + c.getUnloadedClassCount();
        });
        op(tmx, "OperatingSystemMXBean.getProcessCpuTime", os::getProcessCpuTime);
        op(tmx, "UnixOperatingSystemMXBean.getMaxFileDescriptorCount",
                ((com.sun.management.UnixOperatingSystemMXBean) os)::getMaxFileDescriptorCount);
        op(tmx, "UnixOperatingSystemMXBean.getOpenFileDescriptorCount",
                ((com.sun.management.UnixOperatingSystemMXBean) os)::getOpenFileDescriptorCount);

        Path proc = Path.of("/proc");
        op(tmx, "list /proc (DirectoryStream, Path per entry)", () -> {
            long n = 0;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc)) {
                for (Path p : ds) {
                    n += p.getFileName().toString().length();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return n;
        });
        op(tmx, "list /proc (File.list, names only)", () -> {
            String[] names = proc.toFile().list();
            return names == null ? 0 : names.length;
        });
        op(tmx, "ThreadMXBean.getCurrentThreadCpuTime (the harness's per-sensor probe)", tmx::getCurrentThreadCpuTime);
        readPaths(tmx);
        List<FileChannel> stats = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path p : ds) {
                try {
                    stats.add(FileChannel.open(p.resolve("stat"), StandardOpenOption.READ));
                } catch (IOException e) {
                    // exited
                }
            }
        }
        List<FileChannel> taskStats = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path p : ds) {
                try (DirectoryStream<Path> ts = Files.newDirectoryStream(p.resolve("task"))) {
                    for (Path t : ts) {
                        taskStats.add(FileChannel.open(t.resolve("stat"), StandardOpenOption.READ));
                    }
                } catch (IOException e) {
                    // exited
                }
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(4096);
        op(tmx, "pread every /proc/[pid]/stat (" + stats.size() + " kept open)", () -> {
            long n = 0;
            for (FileChannel ch : stats) {
                buf.clear();
                try {
                    n += ch.read(buf, 0);
                } catch (IOException e) {
                    // exited
                }
            }
            return n;
        });
        op(tmx, "pread every /proc/[pid]/task/[tid]/stat (" + taskStats.size() + " kept open)", () -> {
            long n = 0;
            for (FileChannel ch : taskStats) {
                buf.clear();
                try {
                    n += ch.read(buf, 0);
                } catch (IOException e) {
                    // exited
                }
            }
            return n;
        });
        for (FileChannel ch : taskStats) {
            ch.close();
        }
        FileChannel loadavg = FileChannel.open(Path.of("/proc/loadavg"), StandardOpenOption.READ);
        op(tmx, "pread /proc/loadavg", () -> {
            buf.clear();
            try {
                return loadavg.read(buf, 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        for (FileChannel ch : stats) {
            ch.close();
        }
        loadavg.close();
    }

    /**
     * The Java read paths available at --release 21 for re-reading a kept-open /proc file from offset 0, on a small
     * file ({@code /proc/loadavg}), this JVM's own {@code stat} (the kernel sums over all its threads) and the
     * calling thread's ({@code thread-self}, one thread): {@code FileChannel.read(buffer, 0)} (one
     * {@code pread64}) into a heap buffer (what {@code ProcFileReader} does: the JDK copies through a cached
     * temporary direct buffer) and into a direct buffer copied out to a byte[], and {@code RandomAccessFile}
     * {@code seek(0)} + {@code read} ({@code lseek} + {@code read}: two system calls, no channel bookkeeping).
     */
    private static void readPaths(com.sun.management.ThreadMXBean tmx) throws IOException {
        for (String file : new String[] {"/proc/loadavg", "/proc/self/stat", "/proc/thread-self/stat"}) {
            Path p = Path.of(file);
            byte[] bytes = new byte[4096];
            ByteBuffer heap = ByteBuffer.wrap(bytes);
            ByteBuffer direct = ByteBuffer.allocateDirect(4096);
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
                 java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file, "r")) {
                op(tmx, "pread " + file + ": FileChannel, heap buffer", () -> {
                    heap.clear();
                    try {
                        return ch.read(heap, 0);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, 20_000, 20_000);
                op(tmx, "pread " + file + ": FileChannel, direct buffer + get", () -> {
                    direct.clear();
                    try {
                        int n = ch.read(direct, 0);
                        direct.flip();
                        direct.get(bytes, 0, n);
                        return n;
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, 20_000, 20_000);
                op(tmx, "read " + file + ": RandomAccessFile seek(0) + read", () -> {
                    try {
                        raf.seek(0);
                        return raf.read(bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, 20_000, 20_000);
            }
        }
    }

    private static void row(String name, long cpu, long user, long alloc, int ticks) {
        if (user == 0) {
            System.out.printf(Locale.ROOT, "| %s | %.3f | | | | %,d |%n", name, cpu / 1e6 / ticks, alloc / ticks);
            return;
        }
        long kernel = Math.max(0, cpu - user);
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.0f%% | %,d |%n", name, cpu / 1e6 / ticks,
                user / 1e6 / ticks, kernel / 1e6 / ticks, cpu == 0 ? 0.0 : 100.0 * kernel / cpu, alloc / ticks);
    }

    private static long sinkhole;

    private static void op(com.sun.management.ThreadMXBean tmx, String name, LongSupplier call) {
        op(tmx, name, call, 200, 200);
    }

    /** Mean thread CPU per call of {@code call} over {@code reps} calls after {@code warm} unmeasured ones. */
    private static void op(com.sun.management.ThreadMXBean tmx, String name, LongSupplier call, int warm, int reps) {
        for (int i = 0; i < warm; i++) {
            sinkhole += call.getAsLong();
        }
        long a0 = tmx.getCurrentThreadAllocatedBytes();
        long c0 = tmx.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
            sinkhole += call.getAsLong();
        }
        long c1 = tmx.getCurrentThreadCpuTime();
        long a1 = tmx.getCurrentThreadAllocatedBytes();
        System.out.printf(Locale.ROOT, "  %-60s %9.2f us CPU %,9d bytes%n", name, (c1 - c0) / (reps * 1e3),
                (a1 - a0) / reps);
    }
}
