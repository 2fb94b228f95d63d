package dev.helix.nexus.telemetry.store;

import dev.helix.nexus.core.spi.MetricKey;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Throwaway-grade harness (kept for re-runs): drives the store as the live agent does, in real time: {@code series}
 * samples every {@code tickMillis} of wall time, stamped with the tick time, through
 * {@code BackgroundStoreWriter.start(SqliteTelemetryStore.open(file))} with the defaults, for {@code seconds}. Prints
 * the writer thread's CPU time ({@code nexus-store-writer}, ThreadMXBean) after a warm-up of {@code warmup} seconds and
 * at the end, and the batches committed. Compiled only against API that the previous writer also has, so the same
 * class runs against either build.
 *
 * <p>Arguments: db file, series, seconds, warmup seconds, tick millis (default 1000), seed (default 1), and
 * {@code novacuum} to start from a file that already holds a table, so that it keeps {@code auto_vacuum=NONE} as a
 * file created before schema version 2 does (an ablation).
 */
public final class WriterCadenceMain {

    private WriterCadenceMain() {
    }

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        int series = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        long tickMillis = args.length > 4 ? Long.parseLong(args[4]) : 1000;
        Random r = new Random(args.length > 5 ? Long.parseLong(args[5]) : 1);
        Files.deleteIfExists(db);
        if (args.length > 6 && args[6].equals("novacuum")) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
                 java.sql.Statement s = c.createStatement()) {
                s.execute("CREATE TABLE ablation(x)"); // the file is no longer empty: auto_vacuum stays NONE
            }
        }
        MetricKey[] keys = new MetricKey[series];
        double[] walk = new double[series];
        for (int i = 0; i < series; i++) {
            keys[i] = MetricKey.of("metric_" + (i % 17), "id", Integer.toString(i / 17));
        }
        BackgroundStoreWriter w = BackgroundStoreWriter.start(SqliteTelemetryStore.open(db));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long writerId = -1;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("nexus-store-writer")) {
                writerId = t.threadId();
            }
        }
        long ticks = seconds * 1000L / tickMillis;
        long warmTicks = warmup * 1000L / tickMillis;
        long cpuAtWarm = 0;
        long next = System.nanoTime();
        for (long k = 0; k < ticks; k++) {
            if (k == warmTicks) {
                cpuAtWarm = mx.getThreadCpuTime(writerId);
            }
            long ts = System.currentTimeMillis();
            for (int i = 0; i < series; i++) {
                walk[i] += r.nextGaussian();
                w.record(keys[i], r.nextInt(1000) == 0 ? Double.NaN : walk[i], ts);
            }
            next += tickMillis * 1_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
        }
        long cpuEnd = mx.getThreadCpuTime(writerId);
        w.close();
        long batches;
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(db)) {
            batches = s.count("batches");
        }
        double measured = (ticks - warmTicks) * tickMillis / 1000.0;
        System.out.printf("series %d, %d s (%d after warm-up): writer CPU %.3f s after warm-up = %.3f %% of a core; "
                        + "batches %d (%.2f per s); dropped %d%n", series, seconds, (long) measured,
                (cpuEnd - cpuAtWarm) / 1e9, (cpuEnd - cpuAtWarm) / 1e9 / measured * 100, batches,
                batches / (double) seconds, w.droppedSamples());
    }
}
