package dev.helix.nexus.telemetry.store;

import dev.helix.nexus.core.spi.MetricKey;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Measurement harness (not a test), the read side of {@link StoreGrowthMain}: opens a database that harness wrote
 * (with whatever store code is on the class path, so opening a version-0 file with the current code times its
 * upgrade), then times, on this thread (CPU and wall), reads of one series: the last 10 minutes and the last hour of
 * raw samples, and the whole downsampled history. Each read runs three times; all three are printed.
 *
 * <p>Usage: {@code StoreQueryMain <db file> [series index=37] [series=850]}; the newest sample time is taken from the
 * store itself (the probe series' newest raw sample).
 */
public final class StoreQueryMain {

    private StoreQueryMain() {
    }

    public static void main(String[] args) {
        Path db = Path.of(args[0]);
        if (!Files.exists(db)) {
            throw new IllegalArgumentException("no database " + db);
        }
        int index = args.length > 1 ? Integer.parseInt(args[1]) : 37;
        int series = args.length > 2 ? Integer.parseInt(args[2]) : 850;
        String[] names = {"proc_cpu_seconds", "proc_rss_bytes", "proc_io_read_bytes", "proc_io_write_bytes",
            "proc_threads", "proc_fds", "cg_cpu_usage", "cg_memory_current", "cg_io_pressure", "net_rx_bytes",
            "net_tx_bytes", "disk_busy", "host_cpu", "host_mem", "sched_runqueue", "sched_wait", "proc_ctx_switches"};
        if (index >= series) {
            throw new IllegalArgumentException("series index " + index + " >= " + series);
        }
        MetricKey key = MetricKey.of(names[index % names.length], "id", Integer.toString(index / names.length));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        long w0 = System.nanoTime();
        try (SqliteTelemetryStore store = SqliteTelemetryStore.open(db)) {
            System.out.printf(Locale.ROOT, "open: %.1f ms wall, %.1f ms cpu%n", (System.nanoTime() - w0) / 1e6,
                    (mx.getCurrentThreadCpuTime() - c0) / 1e6);
            long newest = store.samples(key, StoreGrowthMain.T0, Long.MAX_VALUE).getLast().timestampMillis() + 1;
            time("raw last 10 min", () -> store.samples(key, newest - 600_000, newest).size());
            time("raw last 1 h", () -> store.samples(key, newest - 3_600_000, newest).size());
            time("history (all)", () -> store.history(key).size());
        }
    }

    private static void time(String what, Supplier<Integer> read) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        StringBuilder sb = new StringBuilder(what).append(':');
        int rows = 0;
        for (int r = 0; r < 3; r++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            rows = read.get();
            sb.append(String.format(Locale.ROOT, " %.1f ms wall / %.1f ms cpu;", (System.nanoTime() - w0) / 1e6,
                    (mx.getCurrentThreadCpuTime() - c0) / 1e6));
        }
        System.out.println(sb.append(' ').append(rows).append(" rows"));
    }
}
