package dev.helix.nexus.telemetry.store;

import dev.helix.nexus.core.spi.MetricKey;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measurement harness (not a test): drives the store the way {@code nexus run} does — {@link BackgroundStoreWriter#start}
 * over {@link SqliteTelemetryStore#open(Path)} with the default {@link SqliteTelemetryStore.Config} — with
 * {@code series} series at one sample per second of <em>data time</em> (all series stamped with the same tick time, as
 * the engine's Sense step does), but as fast as the writer accepts them, so that hours of data time pass in minutes.
 *
 * <p>After every simulated hour it prints the CPU time the {@code nexus-store-writer} thread spent on that hour of data
 * (thread CPU via {@link ThreadMXBean}; divided by 3600 s it is the share of one core the writer would cost the live
 * agent at that database age), the size of the database plus its WAL, and the CPU and wall time of two reads on the
 * harness thread: the last ten minutes of raw samples of one series, and that series' whole downsampled history.
 *
 * <p>The producer never lets the writer's queue fill past three quarters of its capacity, so nothing is dropped (checked at
 * the end). Values are a seeded random walk per series with one NaN in 1000.
 *
 * <p>Usage: {@code StoreGrowthMain <db file (must not exist)> <hours of data time> [series=850] [seed=1]}.
 */
public final class StoreGrowthMain {

    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z

    private StoreGrowthMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: StoreGrowthMain <db file> <hours> [series=850] [seed=1]");
            System.exit(2);
        }
        Path db = Path.of(args[0]);
        if (Files.exists(db)) {
            throw new IllegalArgumentException("refusing to reuse an existing database: " + db);
        }
        int hours = Integer.parseInt(args[1]);
        int series = args.length > 2 ? Integer.parseInt(args[2]) : 850;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        MetricKey[] keys = new MetricKey[series];
        String[] names = {"proc_cpu_seconds", "proc_rss_bytes", "proc_io_read_bytes", "proc_io_write_bytes",
            "proc_threads", "proc_fds", "cg_cpu_usage", "cg_memory_current", "cg_io_pressure", "net_rx_bytes",
            "net_tx_bytes", "disk_busy", "host_cpu", "host_mem", "sched_runqueue", "sched_wait", "proc_ctx_switches"};
        for (int i = 0; i < series; i++) {
            keys[i] = MetricKey.of(names[i % names.length], "id", Integer.toString(i / names.length));
        }
        double[] level = new double[series];
        SplittableRandom rnd = new SplittableRandom(seed);

        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        SqliteTelemetryStore store = SqliteTelemetryStore.open(db);
        BackgroundStoreWriter writer = BackgroundStoreWriter.start(store);
        Thread wt = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("nexus-store-writer"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no nexus-store-writer thread"));
        // above half the capacity, where the writer drains at once instead of after its 200 ms delay, and below full
        int highWater = BackgroundStoreWriter.DEFAULT_SAMPLE_CAPACITY * 3 / 4;
        System.out.printf(Locale.ROOT, "# %d series, %d h of data time, default Config %s%n", series, hours,
                SqliteTelemetryStore.Config.defaults());
        System.out.println("# hour writer_cpu_s pct_of_core_live db_mb wal_mb q_raw10min_ms q_raw10min_rows "
                + "q_history_ms q_history_rows wall_s");
        long prevCpu = mx.getThreadCpuTime(wt.threadId());
        long wall0 = System.nanoTime();
        long t = T0;
        for (int h = 1; h <= hours; h++) {
            long hourWall = System.nanoTime();
            for (int s = 0; s < 3600; s++, t += 1000) {
                while (writer.queued() > highWater) {
                    Thread.sleep(1);
                }
                for (int i = 0; i < series; i++) {
                    level[i] += rnd.nextDouble() - 0.5;
                    writer.record(keys[i], rnd.nextInt(1000) == 0 ? Double.NaN : level[i], t);
                }
            }
            writer.flush();
            long cpu = mx.getThreadCpuTime(wt.threadId());
            double cpuS = (cpu - prevCpu) / 1e9;
            prevCpu = cpu;
            MetricKey probe = keys[(h * 37) % series];
            long q0 = mx.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            int rawRows = store.samples(probe, t - 600_000, t).size();
            double rawMs = (System.nanoTime() - w0) / 1e6;
            long q1 = mx.getCurrentThreadCpuTime();
            w0 = System.nanoTime();
            int histRows = store.history(probe).size();
            double histMs = (System.nanoTime() - w0) / 1e6;
            long q2 = mx.getCurrentThreadCpuTime();
            System.out.printf(Locale.ROOT, "%d %.2f %.3f %.1f %.1f %.1f(cpu %.1f) %d %.1f(cpu %.1f) %d %.0f%n", h, cpuS,
                    cpuS / 3600 * 100, mb(db), mb(Path.of(db + "-wal")), rawMs, (q1 - q0) / 1e6, rawRows, histMs,
                    (q2 - q1) / 1e6, histRows, (System.nanoTime() - hourWall) / 1e9);
        }
        writer.close();
        System.out.printf(Locale.ROOT, "# dropped %d samples, %d write errors, total wall %.0f s%n",
                writer.droppedSamples(), writer.writeErrors(), (System.nanoTime() - wall0) / 1e9);
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(db)) {
            System.out.printf(Locale.ROOT, "# samples rows %d, history rows %d, db %.1f MB%n", s.count("samples"),
                    s.count("history"), mb(db));
        }
    }

    private static double mb(Path p) throws IOException {
        return Files.exists(p) ? Files.size(p) / 1e6 : 0;
    }
}
