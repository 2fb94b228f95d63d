package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.Texts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Probes kernel responsiveness: each tick times {@code iterations} cheap real system calls of two kinds and reports
 * their latency quantiles over the last {@code windowTicks} ticks, which rise when the host is starved (CPU
 * contention, memory pressure, a stalled filesystem, a noisy neighbour), often before the application notices.
 *
 * <ul>
 *   <li>{@code op="pread"}: a 64-byte positional read of {@code /proc/self/stat} through a channel kept open
 *       (one {@code pread64}, the kernel formatting the file each time);</li>
 *   <li>{@code op="stat"}: {@link Files#getLastModifiedTime} on the same file (one {@code stat}/{@code statx}).</li>
 * </ul>
 *
 * <p>Metrics, per op: {@code host_syscall_latency_seconds{op, quantile="0.5"|"0.99"|"0.999"}} and
 * {@code host_syscall_latency_max_seconds{op}} over the window's {@code iterations × windowTicks} most recent calls
 * (exact nearest-rank quantiles of the raw nanosecond timings, sorted each tick), and {@code host_syscall_probes{op}}
 * (calls timed this tick).
 *
 * <p>Trade-off of the defaults ({@value #DEFAULT_ITERATIONS} calls of each kind per tick, window
 * {@value #DEFAULT_WINDOW_TICKS} ticks): the quantiles rest on 200 calls spread over the last 8 s instead of 200
 * calls in one burst per second, at an eighth of the per-tick cost (50 instead of 400 system calls). A stall is
 * seen within the tick it happens in (it raises the max and the upper quantiles at once) but keeps weighing on the
 * quantiles for up to {@code windowTicks} ticks. With fewer than 1000 calls in the window, the p99.9 is simply the
 * window's maximum and the p99 its 2nd-largest value (for 200 calls): raise {@code iterations} or
 * {@code windowTicks} for a meaningful p99.9, at proportional cost (iterations) or staleness (window).
 *
 * <p>Cost: {@code 2 × iterations} system calls per tick plus sorting {@code iterations × windowTicks} longs per op;
 * allocation-free apart from the JDK's attribute objects of {@code stat}. A missing or unreadable file gives FAILED
 * naming it. Not thread-safe.
 */
public final class SyscallLatencySensor extends AbstractSensor {

    /** Default calls of each kind per tick. */
    public static final int DEFAULT_ITERATIONS = 25;
    /** Default number of ticks whose calls the quantiles cover. */
    public static final int DEFAULT_WINDOW_TICKS = 8;

    private static final String[] OPS = {"pread", "stat"};
    private static final double[] QUANTILES = {0.5, 0.99, 0.999};
    private static final String[] QUANTILE_LABELS = {"0.5", "0.99", "0.999"};

    private final Path file;
    private final int iterations;
    private final long[][] window; // per op: ring of the last iterations × windowTicks timings
    private final long[] sorted;
    private int filled; // valid entries in each ring
    private int next; // next ring slot to write
    private final MetricKey[][] quantileKeys = new MetricKey[OPS.length][QUANTILES.length];
    private final MetricKey[] maxKeys = new MetricKey[OPS.length];
    private final MetricKey[] countKeys = new MetricKey[OPS.length];
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64);
    private FileChannel channel;

    /** Probes {@code /proc/self/stat} {@value #DEFAULT_ITERATIONS} times per kind per tick, 8-tick window. */
    public SyscallLatencySensor() {
        this(Path.of("/proc/self/stat"), DEFAULT_ITERATIONS, DEFAULT_WINDOW_TICKS);
    }

    /** Probes {@code file} {@code iterations} times per kind per tick; quantiles of this tick's calls only. */
    public SyscallLatencySensor(Path file, int iterations) {
        this(file, iterations, 1);
    }

    /**
     * Probes {@code file} {@code iterations} times per kind per tick; quantiles over the last {@code windowTicks}
     * ticks' calls.
     */
    public SyscallLatencySensor(Path file, int iterations, int windowTicks) {
        super("syscall-latency", file.toString());
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1: " + iterations);
        }
        if (windowTicks < 1 || (long) iterations * windowTicks > 1_000_000) {
            throw new IllegalArgumentException("windowTicks must be at least 1 and iterations × windowTicks at most "
                    + "1000000: " + iterations + " × " + windowTicks);
        }
        this.file = file;
        this.iterations = iterations;
        this.window = new long[OPS.length][iterations * windowTicks];
        this.sorted = new long[iterations * windowTicks];
        for (int o = 0; o < OPS.length; o++) {
            for (int q = 0; q < QUANTILES.length; q++) {
                quantileKeys[o][q] = MetricKey.of("host_syscall_latency_seconds", "op", OPS[o], "quantile", QUANTILE_LABELS[q]);
            }
            maxKeys[o] = MetricKey.of("host_syscall_latency_max_seconds", "op", OPS[o]);
            countKeys[o] = MetricKey.of("host_syscall_probes", "op", OPS[o]);
        }
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        int timed = 0;
        try {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            for (int i = 0; i < iterations; i++) {
                buffer.clear();
                long t0 = System.nanoTime();
                channel.read(buffer, 0);
                long t1 = System.nanoTime();
                Files.getLastModifiedTime(file);
                long t2 = System.nanoTime();
                window[0][next] = Math.max(1, t1 - t0);
                window[1][next] = Math.max(1, t2 - t1);
                next = next + 1 == sorted.length ? 0 : next + 1;
                filled = Math.min(sorted.length, filled + 1);
                timed++;
            }
        } catch (IOException e) {
            closeChannel();
            problem(file, file + ": " + Texts.describe(e));
        }
        if (timed == 0) {
            return; // nothing measured this tick: report nothing rather than stale quantiles
        }
        for (int o = 0; o < OPS.length; o++) {
            System.arraycopy(window[o], 0, sorted, 0, filled);
            Arrays.sort(sorted, 0, filled);
            for (int q = 0; q < QUANTILES.length; q++) {
                int rank = (int) Math.ceil(QUANTILES[q] * filled) - 1;
                sink.record(quantileKeys[o][q], sorted[Math.max(0, Math.min(filled - 1, rank))] / 1e9, ts);
            }
            sink.record(maxKeys[o], sorted[filled - 1] / 1e9, ts);
            recordMeta(sink, countKeys[o], timed, ts);
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            channel = null;
        }
    }

    @Override
    public void close() {
        closeChannel();
        super.close();
    }
}
